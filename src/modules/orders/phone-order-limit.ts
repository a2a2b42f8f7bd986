// At most PHONE_ORDERS_PER_HOUR new orders per customer phone, whatever the channel (REST or voice). Counted
// by the number's digits, so "(212) 555-0142", "212.555.0142" and "+1 212 555 0142" are one phone. Only new
// orders count: place-order.ts asks after claiming a fresh idempotency key, so a replay never reaches here.
import type { RateLimiter } from '../../adapters/rate-limit/rate-limiter.js';
import { TooManyRequestsError } from '../../errors.js';

export const PHONE_LIMIT_WINDOW_MS = 3_600_000;

/**
 * The phone as the limit counts it: its digits without an international call prefix (00, or 011 as dialled
 * from North America) and without the North American country code, so "001 555 200 0001", "+1 555-200-0001"
 * and "555-200-0001" are one caller. No North American number begins with 0, so no other one is changed.
 */
export function phoneLimitKey(phone: string): string {
  const digits = phone.replace(/\D/g, '').replace(/^(?:011|00)/, '');
  return digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
}

/** Counts one new order from `phone`; the error to answer with when that is one too many, else null. */
export async function phoneLimitRefusal(
  limiter: RateLimiter,
  phone: string,
): Promise<TooManyRequestsError | null> {
  const decision = await limiter.hit(phoneLimitKey(phone));
  if (decision.allowed) return null;
  return new TooManyRequestsError(
    'too_many_orders',
    'This phone number has placed too many orders in the last hour; please call the restaurant.',
    decision.retryAfterSeconds,
  );
}
