// The behaviour every PaymentGateway must show, whatever provider is behind it. Run by payment-gateway.test.ts
// against the mock and against Stripe's adapter pointed at a local fake.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChargeRequest, PaymentGateway } from '../../src/adapters/payment/payment-gateway.js';
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
