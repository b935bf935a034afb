import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openApiDocument } from "../lambdas/api/openapi";

/**
 * `npm run docs:api`: writes the route table of docs/api.md (between its `routes` markers) from the
 * OpenAPI document the API publishes, so that the guide lists exactly the routes the code serves.
 * test/infra/api-doc.test.ts fails when the table is out of date.
 */

const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const API_GUIDE = join(ROOT, "docs", "api.md");
const START = "<!-- routes:start (npm run docs:api writes this table from GET /openapi.json) -->";
const END = "<!-- routes:end -->";

interface Operation {
  readonly tags?: readonly string[];
  readonly summary?: string;
  readonly description?: string;
  readonly security?: readonly unknown[];
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

/** The route table: one row per operation, grouped by tag in the document's order. */
export function routeTable(): string {
  const doc = openApiDocument() as unknown as {
    tags: readonly { name: string }[];
    paths: Record<string, Record<string, Operation>>;
  };
  const rows = Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
  );
  const order = doc.tags.map((t) => t.name);
  const tagOf = (op: Operation) => op.tags?.[0] ?? "";
  rows.sort((a, b) => order.indexOf(tagOf(a.op)) - order.indexOf(tagOf(b.op)));
  return [
    "| route | what | who |",
    "| --- | --- | --- |",
    ...rows.map(({ route, op }) => {
      const who = (op.description ?? "").replace(/^Who: /, "").replace(/\.$/, "");
      return `| \`${route}\` | ${cell(op.summary ?? "")} | ${cell(who)} |`;
    }),
  ].join("\n");
}

/** docs/api.md with its route table as the code has it now. */
export function currentGuide(): string {
  const text = readFileSync(API_GUIDE, "utf8");
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/api.md lacks the markers ${START} … ${END}`);
  return `${text.slice(0, start + START.length)}\n${routeTable()}\n${text.slice(end)}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(API_GUIDE, currentGuide());
  console.log("docs/api.md: route table written from the OpenAPI document");
}
