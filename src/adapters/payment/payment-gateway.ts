// The payment port: the order service charges through this and never knows which provider is behind it.
import type { Cents } from '../../shared/money.js';

export interface ChargeRequest {
  amountCents: Cents;
  currency: 'usd';
  /** Passed to the provider as its idempotency key: a retry with the same key never charges twice. */
  idempotencyKey: string;
  description: string;
  customerName: string;
  customerPhone: string;
  /** A provider payment method (Stripe `pm_...`); providers that need none ignore it. */
  paymentMethodId?: string;
}

export type ChargeResult =
  | { outcome: 'succeeded'; paymentId: string }
  | {
      outcome: 'declined';
      paymentId: string | null;
      /** Provider decline code, e.g. `card_declined`, `expired_card`. */
      code: string;
      /** A sentence a customer understands. */
      reason: string;
    };

export interface RefundRequest {
  /** The payment to refund (Stripe `pi_...`). */
  paymentId: string;
  amountCents: Cents;
  /** A retry with the same key never refunds twice. */
  idempotencyKey: string;
}

export interface RefundResult {
  /** Null when the provider reports the payment as refunded already (e.g. from its own dashboard). */
  refundId: string | null;
  /** `pending`: accepted, money on its way back (Stripe confirms it later with a webhook). */
  status: 'succeeded' | 'pending';
}

export interface PaymentLinkRequest {
  amountCents: Cents;
  currency: 'usd';
  /** The order's idempotency key: the provider's key too, so a retry reuses the first link. */
  idempotencyKey: string;
  /** Shown on the payment page, e.g. "AI Pizza Palace order". */
  description: string;
  customerPhone: string;
  /** How long the link can be paid; providers may raise it to their minimum (Stripe: 30). */
  expiresInMinutes: number;
}

export interface PaymentLink {
  /** The provider's id of the payment page (Stripe Checkout Session `cs_...`). */
  linkId: string;
  /** The page the customer pays on. */
  url: string;
  expiresAt: Date;
}

/**
 * The state a link was left in by expirePaymentLink: `expired` (it can no longer be paid), or `complete` (it
 * was paid before it could be expired; `paymentId` is the payment to refund, Stripe `pi_...`).
 */
export type ExpiredPaymentLink = { status: 'expired' } | { status: 'complete'; paymentId: string | null };

export interface PaymentGateway {
  readonly provider: 'mock' | 'stripe';
  /**
   * Charges the amount. A decline is a result, not an exception. A timeout or provider outage throws
   * UnavailableError (503) so the caller can retry with the same idempotency key.
   */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Gives the money back. Throws UnavailableError on an outage, ConflictError when the provider refuses. */
  refund(request: RefundRequest): Promise<RefundResult>;
  /** A page where the customer pays the amount (sent by text). Throws UnavailableError on an outage. */
  createPaymentLink(request: PaymentLinkRequest): Promise<PaymentLink>;
  /**
   * Makes a link unpayable (the order was cancelled or will be paid otherwise). Expiring an expired link is
   * no error. Throws UnavailableError on an outage.
   */
  expirePaymentLink(linkId: string): Promise<ExpiredPaymentLink>;
}
