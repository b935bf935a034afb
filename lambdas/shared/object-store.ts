import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { optionalEnv, requiredEnv } from "./config";
import { traced } from "./tracer";

/**
 * The evidence bucket (S3 in the cloud; the local S3-compatible store that `npm start` runs, named
 * by `S3_ENDPOINT`). Created once per process, in its own module so that only the handlers that
 * touch evidence files bundle the S3 client. Bytes never pass through a handler on their way in:
 * clients upload with a presigned PUT straight to the bucket.
 */
export const evidenceBucket = requiredEnv("EVIDENCE_BUCKET");

const endpoint = optionalEnv("S3_ENDPOINT");

// With SDK tracing (./tracer.ts) presigning is a subsegment too; its trace header is never signed into a URL.
export const s3Client = traced(
  new S3Client({
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    maxAttempts: 4,
    // Presigned URLs carry no checksum of an empty body (S3 would refuse the upload against it).
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  }),
);

/**
 * A presigned PUT of exactly `size` bytes of `contentType` to `key`, valid for `seconds`. The type
 * and the length are signed: the store refuses a PUT that sends others. Without a size only the
 * type is signed (imports, whose size the contract does not ask for: the run refuses large files).
 */
export async function presignUpload(
  key: string,
  contentType: string,
  size: number | undefined,
  seconds: number,
): Promise<{ url: string; headers: Record<string, string> }> {
  const url = await getSignedUrl(
    s3Client,
    new PutObjectCommand({
      Bucket: evidenceBucket,
      Key: key,
      ContentType: contentType,
      ...(size !== undefined ? { ContentLength: size } : {}),
    }),
    { expiresIn: seconds, signableHeaders: new Set(["content-type"]) },
  );
  return { url, headers: { "content-type": contentType } };
}

/**
 * A presigned GET of `key`, valid for `seconds`. The object carries its verified type and file name
 * (set when it was copied to its evidence key), so the URL needs no response overrides.
 */
export async function presignDownload(key: string, seconds: number): Promise<string> {
  return getSignedUrl(s3Client, new GetObjectCommand({ Bucket: evidenceBucket, Key: key }), {
    expiresIn: seconds,
  });
}

/** The bytes and ETag of a stored object (evidence files are at most 10 MiB). */
export async function readObject(key: string): Promise<{ bytes: Uint8Array; etag: string | undefined }> {
  const out = await s3Client.send(new GetObjectCommand({ Bucket: evidenceBucket, Key: key }));
  if (!out.Body) throw new Error(`Object ${key} has no body`);
  return { bytes: await out.Body.transformToByteArray(), etag: out.ETag };
}

/**
 * The bytes of a stored object of at most `maxBytes`; a larger one is not read (its size is
 * returned instead), so a file far over the limit costs no memory.
 */
export async function readObjectUpTo(
  key: string,
  maxBytes: number,
): Promise<{ bytes: Uint8Array; size: number } | { bytes: undefined; size: number }> {
  const out = await s3Client.send(new GetObjectCommand({ Bucket: evidenceBucket, Key: key }));
  if (!out.Body) throw new Error(`Object ${key} has no body`);
  const size = out.ContentLength ?? 0;
  if (size > maxBytes) {
    // Leave the rest of the body unread and close the connection.
    (out.Body as { destroy?: () => void }).destroy?.();
    return { bytes: undefined, size };
  }
  const bytes = await out.Body.transformToByteArray();
  return bytes.length > maxBytes ? { bytes: undefined, size: bytes.length } : { bytes, size: bytes.length };
}

/** Stores a file the system made (a workbook for a person to download), with its type and name. */
export async function putObject(
  key: string,
  bytes: Uint8Array,
  served: { contentType: string; fileName: string },
): Promise<void> {
  await s3Client.send(
    new PutObjectCommand({
      Bucket: evidenceBucket,
      Key: key,
      Body: bytes,
      ContentType: served.contentType,
      ContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(served.fileName)}`,
    }),
  );
}

/** The size of a stored object, or undefined when there is none. */
export async function objectSize(key: string): Promise<number | undefined> {
  try {
    const out = await s3Client.send(new HeadObjectCommand({ Bucket: evidenceBucket, Key: key }));
    return out.ContentLength;
  } catch (error) {
    if (error instanceof Error && (error.name === "NotFound" || error.name === "NoSuchKey")) return undefined;
    throw error;
  }
}

/**
 * Copies `from` to `to`, only if `from` still has the ETag that was checked, storing it with the
 * verified content type and a Content-Disposition that names the file.
 */
export async function copyObject(
  from: string,
  to: string,
  etag: string | undefined,
  served: { contentType: string; fileName: string },
): Promise<void> {
  await s3Client.send(
    new CopyObjectCommand({
      Bucket: evidenceBucket,
      Key: to,
      CopySource: `${evidenceBucket}/${from.split("/").map(encodeURIComponent).join("/")}`,
      ...(etag ? { CopySourceIfMatch: etag } : {}),
      MetadataDirective: "REPLACE",
      ContentType: served.contentType,
      ContentDisposition: `inline; filename*=UTF-8''${encodeURIComponent(served.fileName)}`,
    }),
  );
}

export async function deleteObject(key: string): Promise<void> {
  await s3Client.send(new DeleteObjectCommand({ Bucket: evidenceBucket, Key: key }));
}
