import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * An SQS queue of the stack played on one machine, as an event source mapping's on-failure
 * destination: the mapping sends it an invocation record (the batch's shard and sequence numbers,
 * why it was given up) for every batch it discards, and it keeps each message for the queue's
 * retention period. Nothing in the stack reads the queue (an alarm watches its depth), so locally it
 * is kept, counted (`/health` shows the depth) and listed. Messages are appended to a JSON-lines
 * file under DATA_DIR, so a restart keeps them; without a file they live in memory.
 */
export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentTimestamp: number;
}

export class LocalQueue {
  private messages: QueueMessage[] = [];

  constructor(
    /** The queue's logical id in the template. */
    readonly logicalId: string,
    private readonly retentionSeconds: number,
    private readonly file?: string,
  ) {
    if (file) {
      mkdirSync(dirname(file), { recursive: true });
      if (existsSync(file)) {
        this.messages = readFileSync(file, "utf8")
          .split("\n")
          .filter((line) => line.trim() !== "")
          .map((line) => JSON.parse(line) as QueueMessage);
        const kept = this.unexpired();
        if (kept.length !== this.messages.length) {
          this.messages = kept;
          writeFileSync(file, kept.map((m) => `${JSON.stringify(m)}\n`).join(""));
        }
      }
    }
  }

  /** SendMessage: the body as SQS keeps it (a string). */
  send(body: unknown): QueueMessage {
    const message: QueueMessage = {
      messageId: randomUUID(),
      body: typeof body === "string" ? body : JSON.stringify(body),
      sentTimestamp: Date.now(),
    };
    this.messages.push(message);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(message)}\n`);
    return message;
  }

  /** ApproximateNumberOfMessages: what the queue holds within its retention period. */
  get depth(): number {
    return this.unexpired().length;
  }

  /** The messages held, oldest first. */
  list(): readonly QueueMessage[] {
    return this.unexpired();
  }

  private unexpired(): QueueMessage[] {
    const oldest = Date.now() - this.retentionSeconds * 1000;
    return this.messages.filter((m) => m.sentTimestamp >= oldest);
  }
}
