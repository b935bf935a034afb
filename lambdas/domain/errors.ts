/**
 * Errors of the inspection rules. Each sets `this.name` so that Step Functions `Retry`/`Catch` can name
 * it and so that the one HTTP mapping (lambdas/api/problem.ts) can turn it into a status code.
 */

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** 400: the request is malformed or fails its schema. */
export class InvalidInputError extends Error {
  constructor(
    message: string,
    readonly errors: readonly FieldError[] = [],
  ) {
    super(message);
    this.name = "InvalidInputError";
  }
}

/** 401: no token, or a token that does not verify. */
export class UnauthenticatedError extends Error {
  constructor(message = "需要有效的登录令牌。") {
    super(message);
    this.name = "UnauthenticatedError";
  }
}

/** 403: the caller may see the resource but their role may not do this. */
export class ForbiddenError extends Error {
  constructor(message = "您的角色不能执行此操作。") {
    super(message);
    this.name = "ForbiddenError";
  }
}

/** 404: unknown, or secret to the caller (the two are never told apart). */
export class NotFoundError extends Error {
  constructor(message = "没有找到该资源。") {
    super(message);
    this.name = "NotFoundError";
  }
}

/** 409: the resource is not at the step this request needs, or a concurrent change won. */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConflictError";
  }
}

/** 422: the input is well-formed but the inspection rules refuse it. */
export class RuleViolationError extends Error {
  constructor(
    message: string,
    readonly errors: readonly FieldError[] = [],
  ) {
    super(message);
    this.name = "RuleViolationError";
  }
}

/**
 * A dependency (DynamoDB throttling, a transaction conflict) failed in a way worth retrying.
 * The workflow's task states retry exactly this error name.
 */
export class TransientDependencyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TransientDependencyError";
  }
}
