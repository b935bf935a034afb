import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/** The cold-start floor: a module that only creates a DynamoDB document client, as every handler does. */
export const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));
