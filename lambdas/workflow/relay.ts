import { keys } from "../data/keys";
import { CALLBACK_KINDS, CALLBACK_WAITS } from "./contract";

/** An entity's sort key: the same for every id of its kind. */
const sortKeyOf = (entity: (id: string) => { sk: string }) => entity("").sk;

/**
 * The changes of the table that move a workflow on, as Lambda event filter patterns on the
 * table's change stream (new and old images). Written once: the CDK stack filters the relay's event
 * source mapping with them, and the local runtime's stream poller applies the same patterns.
 *
 * - an assignment or order leaving a status its callback task waits in (findings submitted, a
 *   report made, a review decided): the waiting task is resumed;
 * - a spot check marked for dispatch by its draw (the outbox entry): its executions are started;
 * - an open order that has been extended: a report wait armed for its old deadline is resumed.
 *
 * Anything else (a reminder raising the escalation level, an order created, the workflow's own
 * writes) passes the relay by: the stream invokes nothing for it.
 */
export const relayedChanges: readonly Record<string, unknown>[] = [
  ...CALLBACK_KINDS.map((kind) => {
    const { entity, awaited } = CALLBACK_WAITS[kind];
    return {
      eventName: ["MODIFY"],
      dynamodb: {
        OldImage: { sk: { S: [sortKeyOf(keys[entity])] }, status: { S: [...awaited] } },
        NewImage: { status: { S: [{ "anything-but": [...awaited] }] } },
      },
    };
  }),
  {
    eventName: ["MODIFY"],
    dynamodb: { NewImage: { sk: { S: [sortKeyOf(keys.spotCheck)] }, pendingDispatch: { BOOL: [true] } } },
  },
  // An open order whose deadline an extension has moved: its report wait's timer may be stale
  // (the relay compares the deadline the wait was armed for with the order's).
  {
    eventName: ["MODIFY"],
    dynamodb: {
      NewImage: {
        sk: { S: [sortKeyOf(keys.rect)] },
        status: { S: ["open"] },
        originalDeadline: { S: [{ exists: true }] },
      },
    },
  },
];
