import { httpRoute, json } from "../../api/http";
import { openApiDocument } from "../../api/openapi";

const document = openApiDocument();

/** The OpenAPI 3.1 document of every route, built from the route manifest and the request schemas. */
async function openApi() {
  return json(200, document);
}

export const handler = httpRoute({ auth: "none" }, openApi);
