import { IdempotencyConfig } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { makeHandlerIdempotent } from "@aws-lambda-powertools/idempotency/middleware";
import { dynamoClient, tableName } from "../shared/aws";
import { buildRoute, type HttpResponse, type RouteOptions, type RouteRequest } from "./http";

export { type HttpResponse, json, type RouteRequest } from "./http";

/**
 * `httpRoute` for the writes that honour the `Idempotency-Key` header (`idempotent: true`). Kept
 * apart from `./http.ts` so that only these handlers bundle and load Powertools idempotency and its
 * JMESPath engine.
 */

const idempotencyStore = new DynamoDBPersistenceLayer({
  tableName,
  keyAttr: "pk",
  sortKeyAttr: "sk",
  staticPkValue: "IDEMPOTENCY",
  expiryAttr: "expiration",
  awsSdkV3Client: dynamoClient,
});

/**
 * The same key, user, route and path within 24 h returns the first response; the same key with
 * another body is refused (IdempotencyValidationError → 422). Without the header nothing is kept.
 */
const idempotencyConfig = new IdempotencyConfig({
  eventKeyJmesPath:
    'headers."idempotency-key" && join(\'#\', [requestContext.authorizer.jwt.claims.sub, routeKey, rawPath, headers."idempotency-key"])',
  payloadValidationJmesPath: "body",
  expiresAfterSeconds: 24 * 60 * 60,
  throwOnNoIdempotencyKey: false,
});

/** The HTTP stack of `./http.ts` with the idempotency middleware where `idempotent: true`. */
export function httpRoute<B = undefined, Q = undefined, P = undefined>(
  options: RouteOptions<B, Q, P>,
  useCase: (request: RouteRequest<B, Q, P>) => Promise<HttpResponse>,
) {
  return buildRoute(options, useCase, () =>
    makeHandlerIdempotent({ persistenceStore: idempotencyStore, config: idempotencyConfig }),
  );
}
