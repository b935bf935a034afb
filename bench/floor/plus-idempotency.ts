import { IdempotencyConfig } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { makeHandlerIdempotent } from "@aws-lambda-powertools/idempotency/middleware";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";

export { documentClient } from "./document-client";
/** Floor + Powertools idempotency (persistence layer, JMESPath config, middy middleware), as lambdas/api/http.ts sets it up. */
export const idempotent = makeHandlerIdempotent({
  persistenceStore: new DynamoDBPersistenceLayer({ tableName: "t", awsSdkV3Client: new DynamoDBClient({}) }),
  config: new IdempotencyConfig({
    eventKeyJmesPath: 'headers."idempotency-key"',
    throwOnNoIdempotencyKey: false,
  }),
});
