// Stripe webhook events, reduced to the few facts the order service acts on. Plain JSON (the signature was
// checked on the raw body first); anything unexpected is `ignored`, never an exception, so Stripe gets a 200
// and stops retrying events we do not handle.

export type PaymentEvent =
  | { kind: 'payment_succeeded'; paymentId: string }
  | { kind: 'payment_failed'; paymentId: string; code: string; reason: string }
  | { kind: 'refunded'; paymentId: string; refundId: string | null }
  | { kind: 'ignored' };

export interface StripeEventEnvelope {
  id: string;
  type: string;
  event: PaymentEvent;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;
const text = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 ? value : null;

/** Null when the body is not a Stripe event at all (no `evt_` id, no type, no data.object). */
export function parseStripeEvent(body: unknown): StripeEventEnvelope | null {
  if (!isObject(body) || body.object !== 'event') return null;
  const id = text(body.id);
  const type = text(body.type);
  const object = isObject(body.data) && isObject(body.data.object) ? body.data.object : null;
  if (!id || id.length > 255 || !type || !object) return null;
  return { id, type, event: toPaymentEvent(type, object) };
}

function toPaymentEvent(type: string, object: Json): PaymentEvent {
  switch (type) {
    case 'payment_intent.succeeded': {
      const paymentId = text(object.id);
      return paymentId ? { kind: 'payment_succeeded', paymentId } : { kind: 'ignored' };
    }
    case 'payment_intent.payment_failed': {
      const paymentId = text(object.id);
      if (!paymentId) return { kind: 'ignored' };
      const last = isObject(object.last_payment_error) ? object.last_payment_error : {};
      const code = text(last.decline_code) ?? text(last.code) ?? 'card_declined';
      const reason = text(last.message) ?? 'The payment failed.';
      return { kind: 'payment_failed', paymentId, code, reason };
    }
    case 'charge.refunded': {
      const paymentId = text(object.payment_intent);
      // Sent for partial refunds too: only a full refund makes the payment `refunded`.
      if (!paymentId || object.refunded !== true) return { kind: 'ignored' };
      const refunds =
        isObject(object.refunds) && Array.isArray(object.refunds.data) ? object.refunds.data : [];
      const first: unknown = refunds[0];
      return { kind: 'refunded', paymentId, refundId: isObject(first) ? text(first.id) : null };
    }
    default:
      return { kind: 'ignored' };
  }
}
