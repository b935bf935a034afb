import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import middy from "@middy/core";
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import * as z from "zod/mini";
import { parseEntityKey } from "../../data/keys";
import { callbackStore } from "../../services/context";
import { dispatchSpotCheck } from "../../services/dispatch";
import { settleWait } from "../../services/workflow";
import { logger } from "../../shared/logger";
import { observability } from "../../shared/observability";

/** The part of a stream record the relay reads: the changed item's key. */
const changedItem = z.object({
  dynamodb: z.object({
    Keys: z.object({
      pk: z.object({ S: z.string().check(z.minLength(1)) }),
      sk: z.object({ S: z.string().check(z.minLength(1)) }),
    }),
  }),
});

const processor = new BatchProcessor(EventType.DynamoDBStreams);

/**
 * One committed change that moves a workflow on (see `relayedChanges` for which): a human step
 * resumes the callback task waiting on the entity, a draw starts its executions. The API thus only
 * writes to the table; Step Functions is told from the change stream, which keeps every committed
 * change for 24 hours and redelivers it until the relay succeeds — a crash between a commit and the
 * resume loses nothing. Each record is settled against the entity's current state, so records may
 * be handled in any order and any number of times.
 */
async function relayChange(record: DynamoDBRecord): Promise<void> {
  const parsed = z.safeParse(changedItem, record);
  if (!parsed.success) {
    // Not retried: the stream would redeliver the same malformed record forever.
    logger.error("Change relay received a record without a table key", { eventID: record.eventID });
    return;
  }
  const { pk, sk } = parsed.data.dynamodb.Keys;
  const key = { pk: pk.S, sk: sk.S };
  const entity = parseEntityKey(key);
  if (entity?.kind === "spotCheck") {
    await dispatchSpotCheck(entity.id);
    return;
  }
  if (entity?.kind !== "assignment" && entity?.kind !== "rect") {
    // Not retried: no workflow waits on anything else (the stream's filter passes nothing else).
    logger.error("Change relay received a change of an item no workflow waits on", {
      pk: key.pk,
      sk: key.sk,
    });
    return;
  }
  const token = await callbackStore.getCallbackToken(key);
  // No token yet: the workflow has not started waiting; when it does, it reads this change.
  if (!token) return;
  await settleWait(token.kind, entity.id, token.taskToken, new Date(), token.armedFor);
}

async function relayChanges(event: DynamoDBStreamEvent, context: Context) {
  return processPartialResponse(event, relayChange, processor, { context });
}

export const handler = middy<DynamoDBStreamEvent>().use(observability()).handler(relayChanges);
