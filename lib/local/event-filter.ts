/**
 * Lambda event filtering (the subset of the EventBridge pattern language Lambda applies to stream
 * records): an object pattern matches when every key it names matches; a list matches a scalar
 * equal to one of its values or accepted by one of its operators (`anything-but`, `prefix`,
 * `exists`). The local runtime uses it to deliver exactly the records the event source mapping's
 * `FilterCriteria` would. An operator outside the subset fails when the patterns are loaded, not by
 * silently matching differently.
 */

type Operator = { "anything-but": unknown } | { prefix: string } | { exists: boolean };

const OPERATORS = new Set(["anything-but", "prefix", "exists"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Throws on a pattern using something this matcher does not implement. */
export function assertSupportedPattern(pattern: unknown, path = "pattern"): void {
  if (!isObject(pattern)) throw new Error(`${path}: a filter pattern is an object`);
  for (const [key, value] of Object.entries(pattern)) {
    if (Array.isArray(value)) {
      for (const v of value) {
        if (isObject(v)) {
          const [name, ...rest] = Object.keys(v);
          if (!name || rest.length > 0 || !OPERATORS.has(name))
            throw new Error(`${path}.${key}: unsupported filter operator ${JSON.stringify(v)}`);
        }
      }
    } else assertSupportedPattern(value, `${path}.${key}`);
  }
}

function matchesValue(rule: unknown, present: boolean, value: unknown): boolean {
  if (!isObject(rule)) return present && rule === value;
  const op = rule as Operator;
  if ("exists" in op) return op.exists === present;
  if (!present) return false;
  if ("prefix" in op) return typeof value === "string" && value.startsWith(op.prefix);
  const excluded = op["anything-but"];
  return Array.isArray(excluded) ? !excluded.includes(value) : excluded !== value;
}

export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  const fields = isObject(event) ? event : {};
  return Object.entries(pattern).every(([key, rule]) => {
    const present = key in fields && fields[key] !== undefined;
    const value = fields[key];
    if (Array.isArray(rule)) {
      const values = Array.isArray(value) ? value : [value];
      return rule.some((r) => values.some((v) => matchesValue(r, present, v)));
    }
    return present && isObject(rule) && matchesPattern(rule, value);
  });
}

/** True when the event matches any of the patterns (or there are none). */
export function matchesAnyFilter(patterns: readonly unknown[], event: unknown): boolean {
  return patterns.length === 0 || patterns.some((p) => isObject(p) && matchesPattern(p, event));
}
