// Stripe's webhook signature (https://docs.stripe.com/webhooks#verify-manually): the Stripe-Signature header
// is `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">[,v1=…]`. Checked here without the SDK so the
// same check guards the webhook whichever payment provider is configured; comparisons are constant-time.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Stripe's own default: an event older (or newer) than this is refused as a possible replay. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type SignatureVerdict =
  | { ok: true }
  | { ok: false; reason: 'missing_header' | 'malformed_header' | 'timestamp_out_of_tolerance' | 'no_match' };

export function signStripePayload(payload: string, secret: string, timestampSeconds: number): string {
  const digest = createHmac('sha256', secret).update(`${timestampSeconds}.${payload}`).digest('hex');
  return `t=${timestampSeconds},v1=${digest}`;
}

/** `secrets`: the endpoint's signing secrets (two while rotating). */
export function verifyStripeSignature(
  payload: string,
  header: string | undefined,
  secrets: readonly string[],
  options: { toleranceSeconds?: number; nowMs?: number } = {},
): SignatureVerdict {
  if (!header) return { ok: false, reason: 'missing_header' };
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/i.test(value))
      signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === null || signatures.length === 0) return { ok: false, reason: 'malformed_header' };
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = (options.nowMs ?? Date.now()) / 1000;
  if (Math.abs(now - timestamp) > tolerance) return { ok: false, reason: 'timestamp_out_of_tolerance' };
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest();
    // Every candidate is compared (no early exit on the first byte), each in constant time.
    if (signatures.some((candidate) => timingSafeEqual(candidate, expected))) return { ok: true };
  }
  return { ok: false, reason: 'no_match' };
}
