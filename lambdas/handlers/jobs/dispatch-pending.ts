import middy from "@middy/core";
import { spotCheckStore } from "../../services/context";
import { dispatchSpotCheck } from "../../services/dispatch";
import { observability } from "../../shared/observability";

/** Scheduled outbox sweep: finishes the dispatch of any draw whose executions did not all start. */
async function dispatchPending() {
  const pending = await spotCheckStore.listPendingDispatch(25);
  let dispatched = 0;
  for (const spotCheckId of pending) if (await dispatchSpotCheck(spotCheckId)) dispatched++;
  return { pending: pending.length, dispatched };
}

export const handler = middy().use(observability()).handler(dispatchPending);
