// The development payment provider: no network, no keys, and the original system's failure mix (about half of
// the failures "card declined", half "card expired"). Outcomes come from a seeded stream so MOCK_SEED replays a
// run; like Stripe it remembers idempotency keys, so a retry never charges twice.
import { createHash, randomUUID } from 'node:crypto';
import {
  createRandom,
  sampleLatency,
  simulateLatency,
  type LatencyRange,
} from '../../shared/seeded-random.js';
import type {
  ChargeRequest,
  ChargeResult,
  ExpiredPaymentLink,
  PaymentGateway,
  PaymentLink,
  PaymentLinkRequest,
  RefundRequest,
  RefundResult,
} from './payment-gateway.js';

export interface MockPaymentGatewayOptions {
  /** Probability in [0, 1] that a charge is declined. */
  failureRate: number;
  latency: LatencyRange;
  seed: string;
  /** How many recent idempotency keys are remembered (oldest forgotten first). Default 100,000. */
  maxRememberedKeys?: number;
  /** Payment links point here (PUBLIC_URL); default http://localhost:8001. */
  publicUrl?: string;
}

/** A payment link the mock made, with its state (tests pay or expire it). */
export interface MockPaymentLink extends PaymentLink {
  idempotencyKey: string;
  amountCents: number;
  customerPhone: string;
  status: 'open' | 'expired' | 'complete';
  paymentId: string | null;
}

/** One real (non-replayed) charge attempt, kept so tests can prove "one charge per key". */
export interface MockChargeRecord {
  idempotencyKey: string;
  amountCents: number;
  outcome: ChargeResult['outcome'];
  paymentId: string | null;
}

const DEFAULT_MAX_REMEMBERED_KEYS = 100_000;

export class MockPaymentGateway implements PaymentGateway {
  readonly provider = 'mock' as const;

  readonly #failureRate: number;
  readonly #latency: LatencyRange;
  readonly #maxKeys: number;
  /** Outcomes and latencies use separate streams, so changing MOCK_PAYMENT_LATENCY_MS keeps the outcomes. */
  readonly #outcomeRandom: () => number;
  readonly #latencyRandom: () => number;
  /** key -> the first call's promise (stored before it settles, so concurrent duplicates share it). */
  readonly #results = new Map<string, Promise<ChargeResult>>();
  readonly #charges = new Map<string, MockChargeRecord[]>();
  #chargeCount = 0;
  readonly #refunds = new Map<string, RefundResult>();
  readonly #refunded: RefundRequest[] = [];
  readonly #publicUrl: string;
  /** Links by idempotency key (a repeat returns the first) and by id. */
  readonly #linksByKey = new Map<string, MockPaymentLink>();
  readonly #links = new Map<string, MockPaymentLink>();

  constructor(options: MockPaymentGatewayOptions) {
    if (!(options.failureRate >= 0 && options.failureRate <= 1)) {
      throw new RangeError(`failureRate must be between 0 and 1, got ${options.failureRate}`);
    }
    const maxKeys = options.maxRememberedKeys ?? DEFAULT_MAX_REMEMBERED_KEYS;
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) {
      throw new RangeError(`maxRememberedKeys must be a positive integer, got ${maxKeys}`);
    }
    this.#failureRate = options.failureRate;
    this.#latency = options.latency;
    this.#maxKeys = maxKeys;
    this.#publicUrl = (options.publicUrl ?? 'http://localhost:8001').replace(/\/+$/, '');
    this.#outcomeRandom = createRandom(`payment-outcome:${options.seed}`);
    this.#latencyRandom = createRandom(`payment-latency:${options.seed}`);
  }

  charge(request: ChargeRequest): Promise<ChargeResult> {
    const key = request.idempotencyKey;
    const known = this.#results.get(key);
    if (known) return known;

    const pending = this.#execute(request);
    this.#remember(key, pending);
    // A rejected attempt must not poison the key: forget it so the caller's retry runs again.
    pending.catch(() => {
      if (this.#results.get(key) === pending) this.#results.delete(key);
    });
    return pending;
  }

  /** Refunds once per idempotency key, like Stripe; the ids are remembered for tests. */
  refund(request: RefundRequest): Promise<RefundResult> {
    const known = this.#refunds.get(request.idempotencyKey);
    if (known) return Promise.resolve(known);
    const result: RefundResult = {
      refundId: `mock_re_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
      status: 'succeeded',
    };
    this.#refunds.set(request.idempotencyKey, result);
    this.#refunded.push(request);
    return Promise.resolve(result);
  }

  /**
   * A deterministic id per idempotency key (`cs_mock_` + a digest of the key), a URL under PUBLIC_URL; the
   * same key returns the first link, like Stripe. Nothing can be paid there: tests call completeLink().
   */
  createPaymentLink(request: PaymentLinkRequest): Promise<PaymentLink> {
    const known = this.#linksByKey.get(request.idempotencyKey);
    if (known) return Promise.resolve(linkOf(known));
    const digest = createHash('sha256').update(request.idempotencyKey).digest('hex');
    const linkId = `cs_mock_${digest.slice(0, 24)}`;
    const link: MockPaymentLink = {
      linkId,
      url: `${this.#publicUrl}/payment/mock-checkout/${linkId}`,
      expiresAt: new Date(Date.now() + Math.max(request.expiresInMinutes, 1) * 60_000),
      idempotencyKey: request.idempotencyKey,
      amountCents: request.amountCents,
      customerPhone: request.customerPhone,
      status: 'open',
      paymentId: null,
    };
    this.#linksByKey.set(request.idempotencyKey, link);
    this.#links.set(linkId, link);
    return Promise.resolve(linkOf(link));
  }

  expirePaymentLink(linkId: string): Promise<ExpiredPaymentLink> {
    const link = this.#links.get(linkId);
    if (link?.status === 'complete')
      return Promise.resolve({ status: 'complete', paymentId: link.paymentId });
    if (link) link.status = 'expired';
    return Promise.resolve({ status: 'expired' });
  }

  /** The links made (replays excluded), oldest first. */
  links(): MockPaymentLink[] {
    return [...this.#links.values()];
  }

  /** Pays an open link as the customer would; returns its payment id (null when it is not open). */
  completeLink(linkId: string): string | null {
    const link = this.#links.get(linkId);
    if (link?.status !== 'open') return null;
    link.status = 'complete';
    link.paymentId = `mock_pi_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
    return link.paymentId;
  }

  /** Every real (non-replayed) refund made, in order. */
  refunds(): readonly RefundRequest[] {
    return this.#refunded;
  }

  /** Number of real charges made (replays of a known key are not counted). */
  chargeCount(): number {
    return this.#chargeCount;
  }

  /** The real charges made under one idempotency key (while the key is remembered). */
  chargesFor(idempotencyKey: string): readonly MockChargeRecord[] {
    return this.#charges.get(idempotencyKey) ?? [];
  }

  async #execute(request: ChargeRequest): Promise<ChargeResult> {
    // Draw the outcome now, in call order, so concurrency and timers cannot reorder the seeded sequence.
    const result = this.#decide();
    const wait = simulateLatency(sampleLatency(this.#latency, this.#latencyRandom));
    if (wait) await wait;

    this.#chargeCount++;
    const record: MockChargeRecord = {
      idempotencyKey: request.idempotencyKey,
      amountCents: request.amountCents,
      outcome: result.outcome,
      paymentId: result.paymentId,
    };
    const records = this.#charges.get(request.idempotencyKey);
    if (records) records.push(record);
    else this.#charges.set(request.idempotencyKey, [record]);
    return result;
  }

  #decide(): ChargeResult {
    const roll = this.#outcomeRandom();
    // Ids come from node:crypto, not the seed: a restarted process with the same MOCK_SEED must not reuse ids.
    const paymentId = `mock_pi_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
    if (roll >= this.#failureRate) return { outcome: 'succeeded', paymentId };
    // The same roll splits the failures in two halves: one draw per charge keeps the stream easy to reason about.
    if (roll < this.#failureRate / 2) {
      return {
        outcome: 'declined',
        paymentId,
        code: 'card_declined',
        reason: 'Payment declined (simulated)',
      };
    }
    return { outcome: 'declined', paymentId, code: 'expired_card', reason: 'Card expired (simulated)' };
  }

  #remember(key: string, pending: Promise<ChargeResult>): void {
    this.#results.set(key, pending);
    // Maps iterate in insertion order, so the first key is the oldest.
    while (this.#results.size > this.#maxKeys) {
      const oldest = this.#results.keys().next();
      if (oldest.done) break;
      this.#results.delete(oldest.value);
      this.#charges.delete(oldest.value);
    }
  }
}

function linkOf(link: MockPaymentLink): PaymentLink {
  return { linkId: link.linkId, url: link.url, expiresAt: link.expiresAt };
}
