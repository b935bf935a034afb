/**
 * Floor + every third-party part an idempotent write route uses (no project code): the logger, middy,
 * zod/mini and Powertools idempotency. No route loads the Step Functions client any more (the change
 * relay and the jobs do), so `plus-sfn` is attribution for those alone.
 */

export { documentClient } from "./document-client";
export { idempotent } from "./plus-idempotency";
export { logger } from "./plus-logger";
export { handler } from "./plus-middy";
export { schema } from "./plus-zod-mini";
