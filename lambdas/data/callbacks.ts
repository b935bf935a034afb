import type { CallbackKind } from "../workflow/contract";
import type { Dynamo } from "./dynamo";
import { INDEX, keys } from "./keys";
import { callbackToken, parseItem, pendingResume } from "./records";

/** What the workflow keeps between its steps: callback tokens and resumes that failed, to retry. */
export class CallbackStore {
  constructor(private readonly db: Dynamo) {}

  /**
   * Keeps the token of the callback an entity (assignment or order) waits on, on an item of its own:
   * one small put instead of rewriting the entity and its index entries. The workflow writes the
   * token and then reads the entity; the change relay, fed by the table's stream once a change is
   * committed, reads the token and then the entity. All reads are strongly consistent, so at least
   * one side sees the other and a resume is never lost (both may send it: the second finds the token
   * spent, which is harmless). A token left from an earlier wait is spent, or still the one waiting;
   * either is safe to send to.
   */
  async putCallbackToken(
    entity: { pk: string; sk: string },
    kind: CallbackKind,
    token: string,
    at: string,
    armedFor?: string,
  ): Promise<void> {
    await this.db.putItem({
      ...keys.callbackToken(entity),
      taskToken: token,
      kind,
      at,
      ...(armedFor !== undefined ? { armedFor } : {}),
    });
  }

  async getCallbackToken(entity: {
    pk: string;
    sk: string;
  }): Promise<{ taskToken: string; kind: CallbackKind; armedFor?: string | undefined } | undefined> {
    const item = await this.db.get(keys.callbackToken(entity));
    return item ? parseItem(callbackToken, item, "callback token") : undefined;
  }

  /** Kept when `SendTaskSuccess` failed after the change was committed; the resume job retries it. */
  async putPendingResume(
    tokenHash: string,
    taskToken: string,
    output: string,
    error: string | undefined,
    at: string,
  ): Promise<void> {
    await this.db.batchPut([
      {
        ...keys.pendingResume(tokenHash),
        gsi3pk: keys.pendingResumes,
        gsi3sk: `${at}#${tokenHash}`,
        tokenHash,
        taskToken,
        output,
        ...(error === undefined ? {} : { error }),
        at,
      },
    ]);
  }

  async listPendingResumes(
    limit: number,
  ): Promise<{ tokenHash: string; taskToken: string; output: string; error?: string | undefined }[]> {
    const out = await this.db.query(
      {
        IndexName: INDEX.global,
        KeyConditionExpression: "gsi3pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.pendingResumes },
      },
      { limit },
    );
    return out.items.map((i) => parseItem(pendingResume, i, "pending resume"));
  }

  async deletePendingResume(tokenHash: string): Promise<void> {
    await this.db.delete(keys.pendingResume(tokenHash));
  }
}
