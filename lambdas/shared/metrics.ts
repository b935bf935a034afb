import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { type BusinessEvent, METRICS_NAMESPACE, METRICS_SERVICE } from "./business-metrics";

export type { BusinessEvent } from "./business-metrics";

/**
 * Business metrics in CloudWatch's embedded metric format: one JSON line on stdout per event, which
 * CloudWatch Logs turns into a metric (no API call, no latency). Only the handlers that count import
 * this module. Off where Powertools' dev mode is on (`POWERTOOLS_DEV`, set by the local runtime) unless
 * `POWERTOOLS_METRICS_DISABLED=false`, so local runs and tests print nothing.
 */
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

/**
 * Counts `n` occurrences of a business event, published at once (a single-metric line), so that a
 * handler needs no flushing middleware and a count is never lost to an error later in the request.
 */
export function countBusinessEvent(name: BusinessEvent, n = 1): void {
  metrics.singleMetric().addMetric(name, MetricUnit.Count, n);
}
