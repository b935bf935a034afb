import { S3Client } from "@aws-sdk/client-s3";
import { optionalEnv } from "./config";
import { traced } from "./tracer";

export {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";

/**
 * The S3 client of the evidence bucket and the commands ./object-store.ts sends: loaded by that module
 * on the first operation (a dynamic import), so that a function's cold start does not evaluate it.
 */
const endpoint = optionalEnv("S3_ENDPOINT");

export const s3Client = traced(
  new S3Client({
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    maxAttempts: 4,
    // Presigned URLs carry no checksum of an empty body (S3 would refuse the upload against it).
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  }),
);
