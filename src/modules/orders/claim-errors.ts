// The answers to a request whose Idempotency-Key was claimed before: each a domain error with its status.
import { ConflictError, ValidationError } from '../../errors.js';

export const keyReused = () =>
  new ValidationError(
    'idempotency_key_reused',
    'This Idempotency-Key was already used for a different order. Use a new key for a new order.',
    [{ field: 'Idempotency-Key', message: 'already used with a different request body' }],
  );

export const paymentRefunded = () =>
  new ConflictError(
    'payment_refunded',
    'The payment for this Idempotency-Key went through but its order was never saved, so it was refunded. ' +
      'Place the order again with a new Idempotency-Key.',
  );

export const inProgress = () =>
  new ConflictError(
    'request_in_progress',
    'An order with this Idempotency-Key is still being processed. Retry in a moment.',
    1,
  );
