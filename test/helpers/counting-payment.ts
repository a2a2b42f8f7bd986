import type {
  ChargeRequest,
  ChargeResult,
  ExpiredPaymentLink,
  PaymentGateway,
  PaymentLink,
  PaymentLinkRequest,
  RefundRequest,
  RefundResult,
} from '../../src/adapters/payment/payment-gateway.js';

/**
 * Wraps a gateway and counts every charge *attempt* per idempotency key. Providers dedupe by key, so only
 * counting attempts proves the order service itself never tries to charge a key twice.
 */
export class CountingPaymentGateway implements PaymentGateway {
  readonly attempts = new Map<string, number>();

  constructor(private readonly inner: PaymentGateway) {}

  get provider() {
    return this.inner.provider;
  }

  charge(request: ChargeRequest): Promise<ChargeResult> {
    this.attempts.set(request.idempotencyKey, (this.attempts.get(request.idempotencyKey) ?? 0) + 1);
    return this.inner.charge(request);
  }

  refund(request: RefundRequest): Promise<RefundResult> {
    return this.inner.refund(request);
  }

  createPaymentLink(request: PaymentLinkRequest): Promise<PaymentLink> {
    return this.inner.createPaymentLink(request);
  }

  expirePaymentLink(linkId: string): Promise<ExpiredPaymentLink> {
    return this.inner.expirePaymentLink(linkId);
  }

  totalAttempts(): number {
    let total = 0;
    for (const n of this.attempts.values()) total += n;
    return total;
  }
}
