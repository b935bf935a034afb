import { randomUUID } from "node:crypto";

/**
 * A function's own timeout (its `Timeout` in the template), as Lambda enforces it on every
 * invocation: past it, the invocation fails with `Sandbox.Timedout` and Lambda's message. Lambda
 * stops the sandbox; in one process the handler cannot be stopped, so it runs on to completion and
 * only its result is dropped; `onTimeout` says so in the log.
 */
export class FunctionTimeoutError extends Error {
  constructor(readonly seconds: number) {
    super(`RequestId: ${randomUUID()} Error: Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = "Sandbox.Timedout";
  }
}

export function callWithFunctionTimeout<T>(
  call: () => Promise<T>,
  timeoutSeconds: number | undefined,
  onTimeout: (seconds: number) => void,
): Promise<T> {
  const invocation = call();
  if (timeoutSeconds === undefined) return invocation;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout(timeoutSeconds);
      reject(new FunctionTimeoutError(timeoutSeconds));
    }, timeoutSeconds * 1000);
    invocation.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
