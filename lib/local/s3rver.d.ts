/** The parts of @20minutes/s3rver (no types of its own) that the local object store uses. */
declare module "@20minutes/s3rver" {
  import type { EventEmitter } from "node:events";
  import type { Server } from "node:http";

  interface S3rverOptions {
    address?: string;
    port?: number;
    directory?: string;
    silent?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }
  interface StoredObject {
    readonly key: string;
    readonly size: number;
  }
  class S3rver extends EventEmitter {
    constructor(options: S3rverOptions);
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
    httpServer?: Server;
    store: {
      listObjects(bucket: string, options: { prefix?: string }): Promise<{ objects: StoredObject[] }>;
    };
  }
  export = S3rver;
}

declare module "@20minutes/s3rver/lib/models/account.js" {
  export const DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
}
