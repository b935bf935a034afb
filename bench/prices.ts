/**
 * List prices of the cost model: US$, on demand, us-east-1 (AWS price pages, arm64 Lambda). Update
 * them here; the bench prints them with every run.
 */
export const PRICES = {
  /** Step Functions Standard, per state transition. */
  stepFunctionsTransition: 0.000025,
  /** Lambda (arm64), per request. */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda (arm64), per GB-second. */
  lambdaGbSecond: 0.0000133334,
  /** DynamoDB on demand, per write request unit (halved from 1.25/1M on 2024-11-01). */
  dynamoWriteUnit: 0.625 / 1e6,
  /** DynamoDB on demand, per read request unit (halved from 0.25/1M on 2024-11-01). */
  dynamoReadUnit: 0.125 / 1e6,
  /** API Gateway HTTP API, per request. */
  httpApiRequest: 1.0 / 1e6,
} as const;

/**
 * DynamoDB's on-demand prices before AWS halved them on 2024-11-01, which the US$ figures were
 * computed with: the bench also prints the inspection at these, so the figure stays comparable.
 */
export const DYNAMODB_PRICES_BEFORE_2024_11 = {
  dynamoWriteUnit: 1.25 / 1e6,
  dynamoReadUnit: 0.25 / 1e6,
} as const;

/** Lambda memory of every function (`InspectionFunction`), GB. */
export const LAMBDA_MEMORY_GB = 256 / 1024;
