import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { optionalEnv, requiredEnv } from "./config";
import { traced } from "./tracer";

/**
 * DynamoDB clients, created once per process. `DYNAMODB_ENDPOINT` is set only by the local runtime
 * (DynamoDB Local); in Lambda it is absent and the SDK uses the regional endpoint. The Step Functions
 * client is in `./sfn.ts`, loaded only by the handlers that use it. With SDK tracing built in
 * (`./tracer.ts`) every call is an X-Ray subsegment; the document client sends through the captured
 * client's middleware.
 */
export const tableName = requiredEnv("TABLE_NAME");

export const dynamoClient = traced(
  new DynamoDBClient({ endpoint: optionalEnv("DYNAMODB_ENDPOINT"), maxAttempts: 6 }),
);

export const documentClient = DynamoDBDocumentClient.from(dynamoClient, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});
