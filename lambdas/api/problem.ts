import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { FieldError } from "../domain/errors";
import { logger } from "../shared/logger";

/** RFC 9457 problem details. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly FieldError[];
}

const BY_NAME: Record<string, { status: number; slug: string; title: string }> = {
  InvalidInputError: { status: 400, slug: "invalid-input", title: "输入有误" },
  PayloadTooLargeError: { status: 413, slug: "payload-too-large", title: "请求体过大" },
  UnauthenticatedError: { status: 401, slug: "unauthenticated", title: "未登录或登录已失效" },
  ForbiddenError: { status: 403, slug: "forbidden", title: "无权操作" },
  NotFoundError: { status: 404, slug: "not-found", title: "未找到" },
  ConflictError: { status: 409, slug: "conflict", title: "状态冲突" },
  RuleViolationError: { status: 422, slug: "rule-violation", title: "不符合督查规则" },
  IdempotencyValidationError: {
    status: 422,
    slug: "idempotency-key-reused",
    title: "幂等键已被用于其他请求",
  },
  IdempotencyAlreadyInProgressError: {
    status: 409,
    slug: "idempotency-in-progress",
    title: "请求正在处理中",
  },
  TransientDependencyError: { status: 503, slug: "unavailable", title: "服务暂时不可用" },
};

/**
 * Details people read in place of a message that is not theirs: a library's, or a dependency's
 * (logged in English with the error), whose cause is no use to the person who asked.
 */
const DETAIL_FOR_LIBRARY_ERRORS: Record<string, string> = {
  TransientDependencyError: "服务繁忙，请稍后重试。",
  IdempotencyValidationError: "这个幂等键（Idempotency-Key）已用于内容不同的请求。",
  IdempotencyAlreadyInProgressError: "使用这个幂等键（Idempotency-Key）的请求仍在处理中，请稍后再试。",
};

export function problemType(slug: string): string {
  return `urn:spot-inspections:problem:${slug}`;
}

export function toProblem(error: unknown): Problem {
  const name = error instanceof Error ? error.name : "";
  const known = BY_NAME[name];
  if (!known) {
    logger.error("Unhandled error", { error: error instanceof Error ? error : String(error) });
    return {
      type: problemType("internal"),
      title: "服务器内部错误",
      status: 500,
      detail: "服务器处理请求时出错，已记录日志。",
    };
  }
  const fieldErrors =
    typeof error === "object" && error !== null && "errors" in error && Array.isArray(error.errors)
      ? (error.errors as FieldError[])
      : undefined;
  if (name === "TransientDependencyError")
    logger.warn("Dependency unavailable", { error: error instanceof Error ? error : String(error) });
  const detail = DETAIL_FOR_LIBRARY_ERRORS[name] ?? (error instanceof Error ? error.message : known.title);
  return {
    type: problemType(known.slug),
    title: known.title,
    status: known.status,
    detail,
    ...(fieldErrors && fieldErrors.length > 0
      ? { errors: fieldErrors }
      : known.status === 400
        ? { errors: [] }
        : {}),
  };
}

/**
 * Seconds a client waits before retrying a `503` (a dependency throttled past the SDK's own retries):
 * the answer says so in `Retry-After`, as every shed request does (issue 19; docs/performance.md).
 */
export const RETRY_AFTER_SECONDS = 1;

export function problemResponse(problem: Problem): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: {
      "content-type": "application/problem+json",
      ...(problem.status === 503 ? { "retry-after": String(RETRY_AFTER_SECONDS) } : {}),
    },
    body: JSON.stringify(problem),
  };
}
