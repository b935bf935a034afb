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
  InvalidInputError: { status: 400, slug: "invalid-input", title: "Invalid input" },
  PayloadTooLargeError: { status: 413, slug: "payload-too-large", title: "Payload too large" },
  UnauthenticatedError: { status: 401, slug: "unauthenticated", title: "Unauthenticated" },
  ForbiddenError: { status: 403, slug: "forbidden", title: "Forbidden" },
  NotFoundError: { status: 404, slug: "not-found", title: "Not found" },
  ConflictError: { status: 409, slug: "conflict", title: "Conflict" },
  RuleViolationError: { status: 422, slug: "rule-violation", title: "Refused by the inspection rules" },
  IdempotencyValidationError: {
    status: 422,
    slug: "idempotency-key-reused",
    title: "Idempotency key reused",
  },
  IdempotencyAlreadyInProgressError: {
    status: 409,
    slug: "idempotency-in-progress",
    title: "Request in progress",
  },
  TransientDependencyError: { status: 503, slug: "unavailable", title: "Temporarily unavailable" },
};

const DETAIL_FOR_LIBRARY_ERRORS: Record<string, string> = {
  IdempotencyValidationError: "This Idempotency-Key was used with a different request body.",
  IdempotencyAlreadyInProgressError: "A request with this Idempotency-Key is still being processed.",
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
      title: "Internal error",
      status: 500,
      detail: "The server failed to process this request; it has been logged.",
    };
  }
  const fieldErrors =
    typeof error === "object" && error !== null && "errors" in error && Array.isArray(error.errors)
      ? (error.errors as FieldError[])
      : undefined;
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

export function problemResponse(problem: Problem): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { "content-type": "application/problem+json" },
    body: JSON.stringify(problem),
  };
}
