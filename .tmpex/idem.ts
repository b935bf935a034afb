export { httpRoute } from "../lambdas/api/idempotent-http";
