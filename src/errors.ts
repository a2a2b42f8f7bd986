// Domain errors carry their HTTP status and a stable machine-readable code; one handler (http/error-handler.ts)
// turns them into the `{ error, message, details? }` shape. Anything else becomes a 500 with no internals.

export interface ErrorDetail {
  /** The request field the problem is about, e.g. `items[0].name`. */
  field?: string;
  message: string;
  /** Closest valid values, when the problem is an unknown name. */
  suggestions?: string[];
  [extra: string]: unknown;
}

export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the request is not well-formed (bad JSON, wrong types). */
export class BadRequestError extends DomainError {
  constructor(code: string, message: string, details?: ErrorDetail[]) {
    super(400, code, message, details);
  }
}

/** 422: well-formed but unacceptable (unknown item, price mismatch, address outside the zone, closed). */
export class ValidationError extends DomainError {
  constructor(code: string, message: string, details?: ErrorDetail[]) {
    super(422, code, message, details);
  }
}

export class NotFoundError extends DomainError {
  constructor(code: string, message: string) {
    super(404, code, message);
  }
}

/** 402: the payment provider refused the charge. The failed attempt is stored as `orderId`. */
export class PaymentDeclinedError extends DomainError {
  constructor(
    code: string,
    message: string,
    readonly orderId: number | null = null,
  ) {
    super(
      402,
      code,
      message,
      orderId === null ? undefined : [{ field: 'payment', message, order_id: orderId }],
    );
  }
}

/** 409: the same idempotency key is still being processed (retry after `retryAfterSeconds`) or conflicts. */
export class ConflictError extends DomainError {
  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(409, code, message);
  }
}

/** 503: a dependency timed out or is down; the client should retry after `retryAfterSeconds`. */
export class UnavailableError extends DomainError {
  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds = 2,
  ) {
    super(503, code, message);
  }
}

/** 429: too many requests from one client, or orders from one phone; retry after `retryAfterSeconds`. */
export class TooManyRequestsError extends DomainError {
  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, code, message);
  }
}
