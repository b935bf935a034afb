import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { optionalEnv, requiredEnv } from "./config";
import { tracer } from "./tracer";

/**
 * DynamoDB clients, created once per process. `DYNAMODB_ENDPOINT` is set only by the local runtime
 * (DynamoDB Local); in Lambda it is absent and the SDK uses the regional endpoint. The Step Functions
 * client is in `./sfn.ts`, loaded only by the handlers that use it. Every call is traced (X-Ray,
 * `./tracer.ts`); the document client sends through the captured client's middleware.
 */
export const tableName = requiredEnv("TABLE_NAME");

export const dynamoClient = tracer.captureAWSv3Client(
  new DynamoDBClient({ endpoint: optionalEnv("DYNAMODB_ENDPOINT"), maxAttempts: 6 }),
);

export const documentClient = DynamoDBDocumentClient.from(dynamoClient, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});
