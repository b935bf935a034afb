import { afterEach, describe, expect, it, vi } from "vitest";

/**
 * The business metrics are CloudWatch embedded-metric-format lines on stdout (CloudWatch Logs makes
 * them metrics); the dashboard and alarms (`lib/constructs/observability.ts`) read the same namespace,
 * names and `service` dimension. Each case imports the module afresh: Powertools reads its settings
 * from the environment when the module is loaded, as in a Lambda cold start.
 */
async function emitted(
  env: Record<string, string | undefined>,
  count: (m: typeof import("../../lambdas/shared/metrics")) => void,
) {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  const metrics = await import("../../lambdas/shared/metrics");
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  });
  try {
    count(metrics);
  } finally {
    write.mockRestore();
    log.mockRestore();
  }
  return lines.flatMap((l) => l.split("\n")).filter((l) => l.trim() !== "");
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("countBusinessEvent", () => {
  it("writes one EMF line per event: namespace SpotInspections, unit Count, the service dimension", async () => {
    const lines = await emitted({ POWERTOOLS_DEV: undefined, POWERTOOLS_METRICS_DISABLED: "false" }, (m) => {
      m.countBusinessEvent("FindingsSubmitted");
      m.countBusinessEvent("Draws", 3);
    });
    expect(lines).toHaveLength(2);
    const [findings, draws] = lines.map((l) => JSON.parse(l));
    expect(findings).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: "SpotInspections",
            Dimensions: [["service"]],
            Metrics: [{ Name: "FindingsSubmitted", Unit: "Count" }],
          },
        ],
      },
      service: "spot-inspections",
      FindingsSubmitted: 1,
    });
    expect(typeof findings._aws.Timestamp).toBe("number");
    expect(draws).toMatchObject({ Draws: 3, service: "spot-inspections" });
    expect(draws).not.toHaveProperty("FindingsSubmitted");
  });

  it("writes nothing in Powertools' dev mode, which the local runtime sets (quiet local runs and tests)", async () => {
    const lines = await emitted({ POWERTOOLS_DEV: "true", POWERTOOLS_METRICS_DISABLED: undefined }, (m) => {
      m.countBusinessEvent("Escalations");
      m.countBusinessEvent("OrdersOverdue", 2);
    });
    expect(lines).toEqual([]);
  });
});
