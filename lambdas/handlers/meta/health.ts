import { httpRoute, json } from "../../api/http";

/** Liveness for load balancers and the local runner: no auth, no dependencies. */
async function health() {
  return json(200, { status: "ok" });
}

export const handler = httpRoute({ auth: "none" }, health);
