import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SFNClient } from "@aws-sdk/client-sfn";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { optionalEnv, requiredEnv } from "./config";

/**
 * AWS clients, created once per process. `DYNAMODB_ENDPOINT` and `SFN_ENDPOINT` are set only by the
 * local runtime (DynamoDB Local and the local Step Functions endpoint); in Lambda they are absent and
 * the SDK uses the regional endpoints.
 */
export const tableName = requiredEnv("TABLE_NAME");

export const dynamoClient = new DynamoDBClient({
  endpoint: optionalEnv("DYNAMODB_ENDPOINT"),
  maxAttempts: 6,
});

export const documentClient = DynamoDBDocumentClient.from(dynamoClient, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});

export const sfnClient = new SFNClient({ endpoint: optionalEnv("SFN_ENDPOINT"), maxAttempts: 4 });
