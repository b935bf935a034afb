/** Floor + every third-party part an API handler uses (no project code). */

export { documentClient } from "./document-client";
export { idempotent } from "./plus-idempotency";
export { logger } from "./plus-logger";
export { handler } from "./plus-middy";
export { sfnClient } from "./plus-sfn";
export { schema } from "./plus-zod-mini";
