/**
 * Offline capture (离线采集): an inspector's device may record an arrival or findings without a
 * network and send them later. The request then carries `capturedAt`, the device's time of capture;
 * the server keeps its own time (`at`) beside it and never takes the device's word for it.
 *
 * A `capturedAt` must lie at or before the server's now — with `CAPTURE_CLOCK_SKEW_MS` of allowance
 * for a device clock slightly ahead — and not before the assignment was dispatched (nothing about it
 * can have been captured before the team knew of it). A capture that reaches the server more than
 * `DELAYED_SYNC_AFTER_MS` after it was taken is marked `delayedSync`.
 */

/** How far a device clock may run ahead of the server's. */
export const CAPTURE_CLOCK_SKEW_MS = 2 * 60 * 1000;

/** More than this between capture and receipt is a delayed sync (延迟同步). */
export const DELAYED_SYNC_AFTER_MS = 10 * 60 * 1000;

/**
 * Why `capturedAt` cannot be accepted (a message for people, in Chinese, naming the field), or
 * undefined when it can: it lies after `now` plus the clock skew, or before `dispatchedAt`.
 */
export function capturedAtProblem(
  capturedAt: string,
  bounds: { readonly now: Date; readonly dispatchedAt: string },
): string | undefined {
  const captured = Date.parse(capturedAt);
  if (Number.isNaN(captured)) return "采集时间 capturedAt 不是有效的时间";
  if (captured > bounds.now.getTime() + CAPTURE_CLOCK_SKEW_MS) {
    return "采集时间 capturedAt 晚于当前时间（设备时钟最多允许快 2 分钟），请校准设备时间";
  }
  if (captured < Date.parse(bounds.dispatchedAt)) {
    return "采集时间 capturedAt 早于该检查任务的下达时间";
  }
  return undefined;
}

/** Whether more than 10 minutes lie between the device's capture and the server's receipt. */
export function isDelayedSync(capturedAt: string | undefined, at: string): boolean {
  if (capturedAt === undefined) return false;
  return Math.abs(Date.parse(at) - Date.parse(capturedAt)) > DELAYED_SYNC_AFTER_MS;
}
