import { isVirtualHostableS3Bucket, partition } from "@aws-sdk/core/client";
import { formatUrl } from "@aws-sdk/core/util";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { S3RequestPresigner } from "@aws-sdk/s3-request-presigner";
import { Sha256 } from "@smithy/core/checksum";
import { loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS, NODE_REGION_CONFIG_OPTIONS } from "@smithy/core/config";
import { extendedEncodeURIComponent, HttpRequest } from "@smithy/core/protocols";
import { optionalEnv, requiredEnv } from "./config";

/**
 * Presigned URLs of the evidence bucket (S3 in the cloud; the local S3-compatible store `npm start`
 * runs, named by `S3_ENDPOINT`), made without the S3 client: `S3RequestPresigner` — what
 * `getSignedUrl` of @aws-sdk/s3-request-presigner signs with — applied to the request the S3 client
 * would have built, as that package's README shows. The routes that only hand out upload and download
 * URLs thus bundle no S3 client (its operation schemas and endpoint rules, ~150 KB and ~20 ms of cold
 * start; docs/performance.md, phase 1); the same URLs, byte for byte (test/unit/object-urls.test.ts
 * compares them with `getSignedUrl`'s). ./object-store.ts re-exports both functions beside the
 * operations that need the client.
 */
export const evidenceBucket = requiredEnv("EVIDENCE_BUCKET");

const endpoint = optionalEnv("S3_ENDPOINT");

/** The region as the SDK's clients find it (AWS_REGION, else the shared config's profile). */
const region = loadConfig(NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS);

const presigner = new S3RequestPresigner({
  credentials: defaultProvider(),
  region,
  sha256: Sha256,
  service: "s3",
});

/**
 * The request of an operation on `key`, as the S3 client builds it for its endpoint rules' common
 * case: the local store path-style (`S3_ENDPOINT`, `forcePathStyle`), else the regional endpoint of the
 * region's partition, virtual-hosted when the bucket name allows it (a bucket CDK names always does).
 */
async function objectRequest(
  method: "GET" | "PUT",
  operation: "GetObject" | "PutObject",
  key: string,
  headers: Record<string, string>,
): Promise<HttpRequest> {
  const path = `/${key.split("/").map(extendedEncodeURIComponent).join("/")}`;
  const query = { "x-id": operation };
  if (endpoint) {
    const base = new URL(endpoint);
    const prefix = base.pathname.replace(/\/$/, "");
    return new HttpRequest({
      method,
      protocol: base.protocol,
      hostname: base.hostname,
      ...(base.port ? { port: Number(base.port) } : {}),
      path: `${prefix}/${evidenceBucket}${path}`,
      query,
      headers,
    });
  }
  const name = await region();
  const host = `s3.${name}.${partition(name).dnsSuffix}`;
  const virtual = isVirtualHostableS3Bucket(evidenceBucket);
  return new HttpRequest({
    method,
    protocol: "https:",
    hostname: virtual ? `${evidenceBucket}.${host}` : host,
    path: virtual ? path : `/${evidenceBucket}${path}`,
    query,
    headers,
  });
}

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
  const request = await objectRequest("PUT", "PutObject", key, {
    "content-type": contentType,
    ...(size !== undefined ? { "content-length": String(size) } : {}),
  });
  const signed = await presigner.presign(request, {
    expiresIn: seconds,
    signableHeaders: new Set(["content-type"]),
  });
  return { url: formatUrl(signed), headers: { "content-type": contentType } };
}

/**
 * A presigned GET of `key`, valid for `seconds`. The object carries its verified type and file name
 * (set when it was copied to its evidence key), so the URL needs no response overrides.
 */
export async function presignDownload(key: string, seconds: number): Promise<string> {
  const request = await objectRequest("GET", "GetObject", key, {});
  return formatUrl(await presigner.presign(request, { expiresIn: seconds }));
}
