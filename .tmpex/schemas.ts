export * from "../lambdas/api/schemas";
