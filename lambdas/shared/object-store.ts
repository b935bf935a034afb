import { evidenceBucket } from "./object-urls";

/**
 * The evidence bucket (S3 in the cloud; the local S3-compatible store that `npm start` runs, named
 * by `S3_ENDPOINT`). Bytes never pass through a handler on their way in: clients upload with a
 * presigned PUT straight to the bucket. The presigned URLs are made without the S3 client
 * (./object-urls.ts, which routes that only hand out URLs import directly); the operations below load
 * the client (./s3-client.ts, created once per process) on their first call, so importing this module
 * evaluates none of it.
 */
export { evidenceBucket, presignDownload, presignUpload } from "./object-urls";

const s3 = () => import("./s3-client");

/** The bytes and ETag of a stored object (evidence files are at most 10 MiB). */
export async function readObject(key: string): Promise<{ bytes: Uint8Array; etag: string | undefined }> {
  const { s3Client, GetObjectCommand } = await s3();
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
  const { s3Client, GetObjectCommand } = await s3();
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
  const { s3Client, PutObjectCommand } = await s3();
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
  const { s3Client, HeadObjectCommand } = await s3();
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
  const { s3Client, CopyObjectCommand } = await s3();
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
  const { s3Client, DeleteObjectCommand } = await s3();
  await s3Client.send(new DeleteObjectCommand({ Bucket: evidenceBucket, Key: key }));
}
