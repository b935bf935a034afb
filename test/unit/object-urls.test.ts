import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

/**
 * The presigned URLs of lambdas/shared/object-urls.ts (made without the S3 client) against those
 * `getSignedUrl` makes with the S3 client as lambdas/shared/s3-client.ts configures it: the same
 * request, signed at the same instant with the same credentials, must give the same URL, byte for byte
 * — in the cloud's partitions and against the local store.
 */
const KEYS = ["uploads/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", "exports/3c1d/督查公告 (第1期)!'*~.docx"];

const CASES = [
  {
    name: "us-east-1",
    env: { AWS_REGION: "us-east-1", EVIDENCE_BUCKET: "spot-evidencebucket4f1d-1a2b3c4d5e6f" },
  },
  {
    name: "cn-north-1 (amazonaws.com.cn)",
    env: { AWS_REGION: "cn-north-1", EVIDENCE_BUCKET: "spot-evidencebucket4f1d-1a2b3c4d5e6f" },
  },
  {
    name: "ap-east-1",
    env: { AWS_REGION: "ap-east-1", EVIDENCE_BUCKET: "spot-evidencebucket4f1d-1a2b3c4d5e6f" },
  },
  {
    name: "a bucket name with dots (path-style)",
    env: { AWS_REGION: "eu-west-1", EVIDENCE_BUCKET: "spot.evidence.example" },
  },
  {
    name: "the local store (S3_ENDPOINT, path-style)",
    env: { AWS_REGION: "us-east-1", EVIDENCE_BUCKET: "spot-evidence", S3_ENDPOINT: "http://127.0.0.1:4569" },
  },
];

describe("presigned URLs without the S3 client", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-03T04:05:06Z"));
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    vi.stubEnv("AWS_SESSION_TOKEN", "session/token+example=");
    vi.stubEnv("S3_ENDPOINT", "");
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it.each(CASES)("are getSignedUrl's: $name", async ({ env }) => {
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const { presignDownload, presignUpload } = await import("../../lambdas/shared/object-urls");
    const endpoint = process.env.S3_ENDPOINT;
    const client = new S3Client({
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    const Bucket = env.EVIDENCE_BUCKET;
    for (const Key of KEYS) {
      for (const size of [2048, undefined]) {
        const expected = await getSignedUrl(
          client,
          new PutObjectCommand({
            Bucket,
            Key,
            ContentType: "image/jpeg",
            ...(size !== undefined ? { ContentLength: size } : {}),
          }),
          { expiresIn: 600, signableHeaders: new Set(["content-type"]) },
        );
        expect(await presignUpload(Key, "image/jpeg", size, 600)).toEqual({
          url: expected,
          headers: { "content-type": "image/jpeg" },
        });
      }
      const expected = await getSignedUrl(client, new GetObjectCommand({ Bucket, Key }), { expiresIn: 300 });
      expect(await presignDownload(Key, 300)).toBe(expected);
    }
  });

  it("sign the upload's length and type", async () => {
    vi.stubEnv("AWS_REGION", "cn-northwest-1");
    vi.stubEnv("EVIDENCE_BUCKET", "spot-evidence");
    const { presignUpload } = await import("../../lambdas/shared/object-urls");
    const { url } = await presignUpload("uploads/x", "image/png", 10, 60);
    const u = new URL(url);
    expect(u.host).toBe("spot-evidence.s3.cn-northwest-1.amazonaws.com.cn");
    expect(u.searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;content-type;host");
    expect(u.searchParams.get("X-Amz-Expires")).toBe("60");
  });
});
