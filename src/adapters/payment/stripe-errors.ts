// Stripe SDK errors that are not about the card, as the service's own errors: outages and key problems are
// 503s the caller may retry, a reused key is a 409, anything else is a bug on our side and surfaces as a 500.
import Stripe from 'stripe';
import { ConflictError, UnavailableError } from '../../errors.js';

export function unavailable(message: string, cause: unknown, retryAfterSeconds = 2): UnavailableError {
  const error = new UnavailableError('payment_unavailable', message, retryAfterSeconds);
  // Kept for the logs; Stripe errors carry the request id but never the secret key.
  error.cause = cause;
  return error;
}

/** Always throws: the mapped error, or `error` itself when it is none of the known failures. */
export function rethrowStripeFailure(error: unknown): never {
  const E = Stripe.errors;
  if (error instanceof E.StripeRateLimitError) {
    throw unavailable('The payment service is busy. Please retry in a few seconds.', error, 5);
  }
  if (error instanceof E.StripeConnectionError || error instanceof E.StripeAPIError) {
    throw unavailable('The payment service is not responding. Please retry in a moment.', error);
  }
  if (error instanceof E.StripeAuthenticationError || error instanceof E.StripePermissionError) {
    // Our key is wrong or lacks rights: nothing the caller did, and no retry will fix it soon.
    throw unavailable('Payments are temporarily unavailable.', error, 60);
  }
  if (error instanceof E.StripeIdempotencyError) {
    const conflict = new ConflictError(
      'idempotency_key_reused',
      'This idempotency key was already used for a different payment.',
    );
    conflict.cause = error;
    throw conflict;
  }
  // Anything else is a bug on our side (a malformed request): let it surface as a 500.
  throw error;
}
