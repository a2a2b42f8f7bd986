// Stripe webhook events, reduced to the few facts the order service acts on. Plain JSON (the signature was
// checked on the raw body first); anything unexpected is `ignored`, never an exception, so Stripe gets a 200
// and stops retrying events we do not handle.
import { isWellFormedText } from '../../shared/well-formed-text.js';

export type PaymentEvent =
  | {
      kind: 'payment_succeeded';
      paymentId: string;
      /** The order's key, which our charges and payment links put in the PaymentIntent's metadata. */
      idempotencyKey: string | null;
      /** What was taken, in cents (amount_received). */
      amountCents: number | null;
    }
  | { kind: 'payment_failed'; paymentId: string; code: string; reason: string }
  | { kind: 'refunded'; paymentId: string; refundId: string | null }
  /** A payment link (Checkout Session `cs_...`) paid; `paymentId` is the payment it made (`pi_...`). */
  | { kind: 'link_paid'; linkId: string; paymentId: string | null }
  /** A payment link that expired unpaid. */
  | { kind: 'link_expired'; linkId: string }
  | { kind: 'ignored' };

export interface StripeEventEnvelope {
  id: string;
  type: string;
  event: PaymentEvent;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;
/**
 * A non-empty string that is well-formed text without NUL: no Stripe id or message is anything else, and
 * PostgreSQL could neither look such an id up nor store it, so it reads as absent (an id: the event is ignored; a message: ours is used).
 */
const text = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 && isWellFormedText(value) ? value : null;

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
      if (!paymentId) return { kind: 'ignored' };
      const metadata = isObject(object.metadata) ? object.metadata : {};
      const received = object.amount_received;
      return {
        kind: 'payment_succeeded',
        paymentId,
        idempotencyKey: text(metadata.idempotency_key),
        amountCents: Number.isSafeInteger(received) && (received as number) > 0 ? (received as number) : null,
      };
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
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      const linkId = text(object.id);
      // `completed` with payment_status `unpaid` is a delayed payment method still on its way: not money yet.
      if (!linkId || object.payment_status !== 'paid') return { kind: 'ignored' };
      const intent = object.payment_intent;
      const paymentId = isObject(intent) ? text(intent.id) : text(intent);
      return { kind: 'link_paid', linkId, paymentId };
    }
    case 'checkout.session.expired': {
      const linkId = text(object.id);
      return linkId ? { kind: 'link_expired', linkId } : { kind: 'ignored' };
    }
    default:
      return { kind: 'ignored' };
  }
}
