// The behaviour every PaymentGateway must show, whatever provider is behind it. Run by payment-gateway.test.ts
// against the mock and against Stripe's adapter pointed at a local fake.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ChargeRequest,
  PaymentGateway,
  PaymentLinkRequest,
} from '../../src/adapters/payment/payment-gateway.js';
import { cents } from '../../src/shared/money.js';

export interface GatewayUnderTest {
  gateway: PaymentGateway;
  close(): Promise<void>;
}

/** 'approve': charges normally succeed. 'decline': the provider refuses every charge. */
export type PaymentScenario = 'approve' | 'decline';

export function chargeRequest(overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  return {
    amountCents: cents(4514),
    currency: 'usd',
    idempotencyKey: `contract-${randomUUID()}`,
    description: 'Order: 2 x Pizza Margherita, 2 x Coke',
    customerName: 'John Doe',
    customerPhone: '555-123-4567',
    ...overrides,
  };
}

export function linkRequest(overrides: Partial<PaymentLinkRequest> = {}): PaymentLinkRequest {
  return {
    amountCents: cents(4514),
    currency: 'usd',
    idempotencyKey: `contract-link-${randomUUID()}`,
    description: 'AI Pizza Palace order',
    customerPhone: '+12125550123',
    expiresInMinutes: 30,
    ...overrides,
  };
}

export function paymentGatewayContract(
  name: string,
  makeGateway: (scenario: PaymentScenario) => Promise<GatewayUnderTest>,
): void {
  describe(`PaymentGateway contract: ${name}`, () => {
    describe('when the provider approves', () => {
      let subject: GatewayUnderTest;
      beforeAll(async () => {
        subject = await makeGateway('approve');
      });
      afterAll(async () => {
        await subject.close();
      });

      it('succeeds for a normal charge with a payment id', async () => {
        const result = await subject.gateway.charge(chargeRequest());
        expect(result.outcome).toBe('succeeded');
        expect(result.paymentId).toEqual(expect.any(String));
        expect(result.paymentId?.length).toBeGreaterThan(5);
      });

      it('gives different charges different payment ids', async () => {
        const a = await subject.gateway.charge(chargeRequest());
        const b = await subject.gateway.charge(chargeRequest());
        expect(a.paymentId).not.toBe(b.paymentId);
      });

      it('replays the first result for a repeated idempotency key', async () => {
        const request = chargeRequest();
        const first = await subject.gateway.charge(request);
        const second = await subject.gateway.charge({ ...request });
        expect(second).toEqual(first);
      });

      it('gives concurrent calls with one key one and the same result', async () => {
        const request = chargeRequest();
        const results = await Promise.all(
          Array.from({ length: 5 }, () => subject.gateway.charge({ ...request })),
        );
        const ids = new Set(results.map((r) => r.paymentId));
        expect(ids.size).toBe(1);
        for (const r of results) expect(r).toEqual(results[0]);
      });

      it('makes a payment link: an id, an http(s) page, valid for at least the minutes asked', async () => {
        const before = Date.now();
        const link = await subject.gateway.createPaymentLink(linkRequest());
        expect(link.linkId.length).toBeGreaterThan(5);
        expect(new URL(link.url).protocol).toMatch(/^https?:$/);
        expect(link.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 30 * 60_000);
        expect(link.expiresAt.getTime()).toBeLessThan(before + 35 * 60_000);
      });

      it('gives one link per idempotency key, also to concurrent calls, and different keys different links', async () => {
        const request = linkRequest();
        const first = await subject.gateway.createPaymentLink(request);
        const again = await subject.gateway.createPaymentLink({ ...request });
        expect(again).toEqual(first);
        const shared = linkRequest();
        const concurrent = await Promise.all(
          Array.from({ length: 3 }, () => subject.gateway.createPaymentLink({ ...shared })),
        );
        expect(new Set(concurrent.map((l) => l.linkId)).size).toBe(1);
        const other = await subject.gateway.createPaymentLink(linkRequest());
        expect(other.linkId).not.toBe(first.linkId);
        expect(other.url).not.toBe(first.url);
      });

      it('expires an open link, and expiring it again is no error', async () => {
        const link = await subject.gateway.createPaymentLink(linkRequest());
        expect(await subject.gateway.expirePaymentLink(link.linkId)).toEqual({ status: 'expired' });
        expect(await subject.gateway.expirePaymentLink(link.linkId)).toEqual({ status: 'expired' });
      });
    });

    describe('when the provider declines', () => {
      let subject: GatewayUnderTest;
      beforeAll(async () => {
        subject = await makeGateway('decline');
      });
      afterAll(async () => {
        await subject.close();
      });

      it('returns a decline as a result with a code and a readable reason, not as an exception', async () => {
        const result = await subject.gateway.charge(chargeRequest());
        expect(result.outcome).toBe('declined');
        if (result.outcome !== 'declined') return;
        expect(result.code).toMatch(/^[a-z_]+$/);
        expect(result.reason).toMatch(/\w+ \w+/);
      });

      it('replays a decline for a repeated idempotency key', async () => {
        const request = chargeRequest();
        const first = await subject.gateway.charge(request);
        const second = await subject.gateway.charge(request);
        expect(first.outcome).toBe('declined');
        expect(second).toEqual(first);
      });
    });
  });
}
