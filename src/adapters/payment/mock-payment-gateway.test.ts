import { afterEach, describe, expect, it, vi } from 'vitest';
import { cents } from '../../shared/money.js';
import { createRandom, parseLatency, sampleLatency } from '../../shared/seeded-random.js';
import { MockPaymentGateway, type MockPaymentGatewayOptions } from './mock-payment-gateway.js';
import type { ChargeRequest, ChargeResult } from './payment-gateway.js';

let counter = 0;
function request(key = `key-${++counter}`): ChargeRequest {
  return {
    amountCents: cents(4514),
    currency: 'usd',
    idempotencyKey: key,
    description: 'test order',
    customerName: 'Jane',
    customerPhone: '555-000-1111',
  };
}

function gateway(overrides: Partial<MockPaymentGatewayOptions> = {}): MockPaymentGateway {
  return new MockPaymentGateway({
    failureRate: 0.1,
    latency: { minMs: 0, maxMs: 0 },
    seed: 'unit',
    ...overrides,
  });
}

function summary(result: ChargeResult): string {
  return result.outcome === 'succeeded' ? 'ok' : result.code;
}

async function outcomes(g: MockPaymentGateway, n: number, prefix = 'k'): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(summary(await g.charge(request(`${prefix}-${i}`))));
  return out;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('MockPaymentGateway', () => {
  it('gives the same outcome sequence for the same seed, and another for another seed', async () => {
    const a = await outcomes(gateway({ seed: 'alpha', failureRate: 0.3 }), 200);
    const b = await outcomes(gateway({ seed: 'alpha', failureRate: 0.3 }), 200, 'other-keys');
    const c = await outcomes(gateway({ seed: 'beta', failureRate: 0.3 }), 200);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(a).toContain('ok');
    expect(a).toContain('card_declined');
  });

  it('declines about failureRate of 2,000 charges, split between declined and expired cards', async () => {
    const results: ChargeResult[] = [];
    const g = gateway({ failureRate: 0.1, seed: 'rate' });
    for (let i = 0; i < 2000; i++) results.push(await g.charge(request()));
    const declined = results.filter((r) => r.outcome === 'declined');
    expect(declined.length / 2000).toBeGreaterThan(0.075);
    expect(declined.length / 2000).toBeLessThan(0.125);
    const cardDeclined = declined.filter((r) => r.outcome === 'declined' && r.code === 'card_declined');
    const expired = declined.filter((r) => r.outcome === 'declined' && r.code === 'expired_card');
    expect(cardDeclined.length + expired.length).toBe(declined.length);
    expect(cardDeclined.length / declined.length).toBeGreaterThan(0.3);
    expect(expired.length / declined.length).toBeGreaterThan(0.3);
    expect(cardDeclined[0]).toMatchObject({ reason: 'Payment declined (simulated)' });
    expect(expired[0]).toMatchObject({ reason: 'Card expired (simulated)' });
  });

  it('never declines at rate 0 and always declines at rate 1', async () => {
    expect(new Set(await outcomes(gateway({ failureRate: 0 }), 300))).toEqual(new Set(['ok']));
    expect(await outcomes(gateway({ failureRate: 1 }), 300)).not.toContain('ok');
  });

  it('rejects a failure rate outside [0, 1]', () => {
    expect(() => gateway({ failureRate: 1.5 })).toThrow(RangeError);
    expect(() => gateway({ failureRate: Number.NaN })).toThrow(RangeError);
  });

  it('issues payment ids like mock_pi_<24 hex>, unique per charge', async () => {
    const g = gateway({ failureRate: 0 });
    const ids = new Set<string | null>();
    for (let i = 0; i < 100; i++) ids.add((await g.charge(request())).paymentId);
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^mock_pi_[0-9a-f]{24}$/);
  });

  it('charges once per idempotency key and replays the stored result', async () => {
    const g = gateway({ failureRate: 0.5 });
    const req = request();
    const first = await g.charge(req);
    const second = await g.charge({ ...req, amountCents: cents(1) });
    expect(second).toEqual(first);
    expect(g.chargeCount()).toBe(1);
    expect(g.chargesFor(req.idempotencyKey)).toEqual([
      {
        idempotencyKey: req.idempotencyKey,
        amountCents: 4514,
        outcome: first.outcome,
        paymentId: first.paymentId,
      },
    ]);
  });

  it('charges once when calls with the same key run concurrently', async () => {
    const g = gateway({ failureRate: 0, latency: { minMs: 10, maxMs: 10 } });
    const req = request();
    const results = await Promise.all(Array.from({ length: 10 }, () => g.charge(req)));
    expect(new Set(results.map((r) => r.paymentId)).size).toBe(1);
    expect(g.chargeCount()).toBe(1);
    expect(g.chargesFor(req.idempotencyKey)).toHaveLength(1);
  });

  it('does not advance the outcome stream on a replay', async () => {
    const withReplays = gateway({ failureRate: 0.5, seed: 'replay' });
    const plain = gateway({ failureRate: 0.5, seed: 'replay' });
    const a: string[] = [];
    const b: string[] = [];
    for (let i = 0; i < 50; i++) {
      a.push(summary(await withReplays.charge(request(`r-${i}`))));
      await withReplays.charge(request(`r-${i}`));
      b.push(summary(await plain.charge(request(`p-${i}`))));
    }
    expect(a).toEqual(b);
  });

  it('forgets the oldest keys beyond maxRememberedKeys', async () => {
    const g = gateway({ failureRate: 0, maxRememberedKeys: 3 });
    for (const key of ['a', 'b', 'c', 'd']) await g.charge(request(key));
    expect(g.chargeCount()).toBe(4);
    await g.charge(request('d')); // still remembered
    expect(g.chargeCount()).toBe(4);
    await g.charge(request('a')); // forgotten: charged again
    expect(g.chargeCount()).toBe(5);
  });

  it('waits within the configured latency range', async () => {
    const g = gateway({ latency: { minMs: 30, maxMs: 60 } });
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await g.charge(request());
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(29);
      expect(elapsed).toBeLessThan(60 + 250);
    }
  });

  it('uses no timer at all when latency is 0', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    await gateway({ latency: { minMs: 0, maxMs: 0 } }).charge(request());
    expect(spy).not.toHaveBeenCalled();
    await gateway({ latency: { minMs: 1, maxMs: 1 } }).charge(request());
    expect(spy).toHaveBeenCalled();
  });
});

// The seeded stream and latency settings the mocks are built on (kept here: no separate test file was assigned).
describe('seeded randomness and latency settings', () => {
  it('draws numbers in [0, 1) reproducibly per seed', () => {
    const a = createRandom('s1');
    const b = createRandom('s1');
    const c = createRandom('s2');
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((sum, x) => sum + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });

  it('parses "250" and "200-800"', () => {
    expect(parseLatency('250')).toEqual({ minMs: 250, maxMs: 250 });
    expect(parseLatency(' 200 - 800 ')).toEqual({ minMs: 200, maxMs: 800 });
    expect(parseLatency('0')).toEqual({ minMs: 0, maxMs: 0 });
  });

  it.each(['', 'fast', '-5', '1.5', '800-200', '100-', '1e3'])(
    'rejects the latency "%s" with a clear message',
    (spec) => {
      expect(() => parseLatency(spec)).toThrow(/latency/);
    },
  );

  it('samples whole milliseconds covering the whole range, ends included', () => {
    const random = createRandom('latency');
    const samples = new Set(
      Array.from({ length: 2000 }, () => sampleLatency({ minMs: 200, maxMs: 210 }, random)),
    );
    expect([...samples].sort((x, y) => x - y)).toEqual([
      200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210,
    ]);
    expect(sampleLatency({ minMs: 0, maxMs: 0 }, random)).toBe(0);
  });
});
