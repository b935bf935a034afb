import { Tracer } from "@aws-lambda-powertools/tracer";

/**
 * One X-Ray tracer per process. The functions run with active tracing (`InspectionFunction`); the
 * AWS SDK clients are captured where they are created (`./aws.ts`, `./sfn.ts`, `./object-store.ts`,
 * `./identity.ts`, `services/publish.ts`), so every DynamoDB, Step Functions, S3, Cognito and SNS call
 * is a subsegment. Outside Lambda (the local runtime, the tests) the tracer is off and captures nothing.
 */
export const tracer = new Tracer({
  serviceName: "spot-inspections",
  // The handlers make no HTTP calls but the SDK's, which the captured clients trace already.
  captureHTTPsRequests: false,
});
