import { parseArgs } from "node:util";
import { issueToken } from "./jwt";

/**
 * `npm run token -- --sub <id> --groups <g1,g2> [--unit <unitId>] [--ttl <seconds>]`
 * Prints a token signed with the local key in DATA_DIR (default .data/) on its last line.
 */
const { values } = parseArgs({
  options: {
    sub: { type: "string" },
    groups: { type: "string" },
    unit: { type: "string" },
    ttl: { type: "string" },
  },
});
if (!values.sub || !values.groups) {
  console.error(
    "usage: npm run token -- --sub <id> --groups <admin,organizer,inspector,unit,official> [--unit <unitId>] [--ttl <seconds>]",
  );
  process.exit(2);
}
const groups = values.groups
  .split(",")
  .map((g) => g.trim())
  .filter(Boolean);
if (groups.includes("unit") && !values.unit) {
  console.error("a unit user needs --unit <unitId> (the custom:unitId claim)");
  process.exit(2);
}
const token = await issueToken(process.env.DATA_DIR ?? ".data", {
  sub: values.sub,
  groups,
  unitId: values.unit,
  ...(values.ttl ? { ttlSeconds: Number(values.ttl) } : {}),
});
console.log(token);
