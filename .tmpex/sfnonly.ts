export { sfnClient } from "../lambdas/shared/sfn";
