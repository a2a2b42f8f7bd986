import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPaymentGateway, type PaymentConfig } from '../../src/adapters/payment/index.js';
import { MockPaymentGateway } from '../../src/adapters/payment/mock-payment-gateway.js';
import { StripePaymentGateway } from '../../src/adapters/payment/stripe-payment-gateway.js';
import { ConflictError, DomainError, UnavailableError } from '../../src/errors.js';
import { cents } from '../../src/shared/money.js';
import { startFakeStripe, type FakeStripe } from '../helpers/fake-stripe.js';
import { chargeRequest, linkRequest, paymentGatewayContract } from './payment-gateway.contract.js';
import { rejection } from '../helpers/rejection.js';

const SECRET_KEY = 'sk_test_contract_secret_123';

paymentGatewayContract('MockPaymentGateway', (scenario) =>
  Promise.resolve({
    gateway: new MockPaymentGateway({
      failureRate: scenario === 'decline' ? 1 : 0,
      latency: { minMs: 0, maxMs: 0 },
      seed: 'contract',
    }),
    close: () => Promise.resolve(),
  }),
);

paymentGatewayContract('StripePaymentGateway against a local fake', async (scenario) => {
  const fake = await startFakeStripe();
  if (scenario === 'decline') fake.setMode('decline');
  return {
    gateway: new StripePaymentGateway({ secretKey: SECRET_KEY, apiUrl: fake.url, timeoutMs: 2000 }),
    close: () => fake.close(),
  };
});

describe('StripePaymentGateway mapping (local fake)', () => {
  let fake: FakeStripe;
  let gateway: StripePaymentGateway;

  beforeAll(async () => {
    fake = await startFakeStripe();
    gateway = new StripePaymentGateway({ secretKey: SECRET_KEY, apiUrl: fake.url, timeoutMs: 300 });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.setMode('succeed');
    fake.requests.length = 0;
  });

  it('creates one confirmed PaymentIntent with the documented parameters and the idempotency key', async () => {
    const request = chargeRequest();
    const result = await gateway.charge(request);
    expect(result.outcome).toBe('succeeded');
    expect(result.paymentId).toMatch(/^pi_/);
    expect(fake.requests).toHaveLength(1);
    const sent = fake.requests[0];
    expect(sent?.path).toBe('/v1/payment_intents');
    expect(sent?.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(sent?.idempotencyKey).toBe(request.idempotencyKey);
    expect(sent?.params).toMatchObject({
      amount: '4514',
      currency: 'usd',
      confirm: 'true',
      payment_method: 'pm_card_visa',
      automatic_payment_methods: { enabled: 'true', allow_redirects: 'never' },
      description: request.description,
      metadata: {
        customer_name: 'John Doe',
        customer_phone: '555-123-4567',
        idempotency_key: request.idempotencyKey,
      },
    });
  });

  it("uses the caller's payment method when one is given", async () => {
    await gateway.charge(chargeRequest({ paymentMethodId: 'pm_card_mastercard' }));
    expect(fake.requests[0]?.params.payment_method).toBe('pm_card_mastercard');
  });

  it('charges once per key: a repeat is replayed by Stripe, not created again', async () => {
    const before = fake.paymentIntentsCreated;
    const request = chargeRequest();
    const first = await gateway.charge(request);
    const second = await gateway.charge(request);
    expect(second).toEqual(first);
    expect(fake.paymentIntentsCreated - before).toBe(1);
    expect(fake.requests.map((r) => r.replayed)).toEqual([false, true]);
  });

  it('shares one in-flight request between concurrent calls with the same key', async () => {
    const before = fake.paymentIntentsCreated;
    const request = chargeRequest();
    const results = await Promise.all([
      gateway.charge(request),
      gateway.charge(request),
      gateway.charge(request),
    ]);
    expect(new Set(results.map((r) => r.paymentId)).size).toBe(1);
    expect(fake.requests).toHaveLength(1);
    expect(fake.paymentIntentsCreated - before).toBe(1);
  });

  it('maps a 402 card error to a decline with the decline code and the PaymentIntent id', async () => {
    fake.setMode('decline');
    const result = await gateway.charge(chargeRequest());
    expect(result).toMatchObject({ outcome: 'declined', code: 'insufficient_funds' });
    expect(result.paymentId).toMatch(/^pi_/);
    if (result.outcome === 'declined') expect(result.reason).toMatch(/insufficient funds/i);
  });

  it('uses the error code when there is no decline code (expired card)', async () => {
    fake.setMode('decline', { decline: { code: 'expired_card', message: 'Your card has expired.' } });
    const result = await gateway.charge(chargeRequest());
    expect(result).toMatchObject({ outcome: 'declined', code: 'expired_card' });
    if (result.outcome === 'declined') expect(result.reason).toMatch(/expired/i);
  });

  it('maps an incorrect CVC to a sentence about the security code', async () => {
    fake.setMode('decline', {
      decline: { code: 'incorrect_cvc', message: "Your card's security code is incorrect." },
    });
    const result = await gateway.charge(chargeRequest());
    expect(result).toMatchObject({ outcome: 'declined', code: 'incorrect_cvc' });
    if (result.outcome === 'declined') expect(result.reason).toMatch(/security code/);
  });

  it('keeps a stolen-card decline code but tells the caller only that the card was declined', async () => {
    fake.setMode('decline', {
      decline: { code: 'card_declined', decline_code: 'stolen_card', message: 'Your card was declined.' },
    });
    const result = await gateway.charge(chargeRequest());
    expect(result).toMatchObject({ outcome: 'declined', code: 'stolen_card' });
    if (result.outcome === 'declined') {
      expect(result.reason).toMatch(/declined/);
      expect(result.reason).not.toMatch(/stolen|lost|fraud/i);
    }
  });

  it.each([
    ['requires_action', 'authentication_required'],
    ['requires_payment_method', 'insufficient_funds'],
    ['processing', 'payment_processing'],
    ['canceled', 'payment_canceled'],
  ] as const)('maps PaymentIntent status %s to a decline with code %s', async (mode, code) => {
    fake.setMode(mode);
    const result = await gateway.charge(chargeRequest());
    expect(result).toMatchObject({ outcome: 'declined', code });
    expect(result.paymentId).toMatch(/^pi_/);
    if (result.outcome === 'declined') expect(result.reason.length).toBeGreaterThan(10);
  });

  it('retries a 500 once with the same key and succeeds when Stripe recovers', async () => {
    fake.setMode('server_error', { times: 1 });
    const request = chargeRequest();
    const result = await gateway.charge(request);
    expect(result.outcome).toBe('succeeded');
    expect(fake.requests.map((r) => r.idempotencyKey)).toEqual([
      request.idempotencyKey,
      request.idempotencyKey,
    ]);
  });

  it('throws 503 payment_unavailable when Stripe keeps failing with 500', async () => {
    fake.setMode('server_error');
    const error = await rejection(gateway.charge(chargeRequest()));
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ status: 503, code: 'payment_unavailable' });
    expect(fake.requests).toHaveLength(2); // the first try plus maxNetworkRetries: 1
  });

  it('throws 503 payment_unavailable on a rate limit', async () => {
    fake.setMode('rate_limit');
    const error = await rejection(gateway.charge(chargeRequest()));
    expect(error).toMatchObject({ status: 503, code: 'payment_unavailable' });
  });

  it('throws 503 payment_unavailable when Stripe does not answer within the timeout', async () => {
    fake.setMode('hang');
    const started = Date.now();
    const error = await rejection(gateway.charge(chargeRequest()));
    expect(error).toMatchObject({ status: 503, code: 'payment_unavailable' });
    // Two attempts of 300 ms plus the SDK's backoff: bounded, not hanging.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('throws 503 payment_unavailable on malformed JSON', async () => {
    fake.setMode('malformed');
    const error = await rejection(gateway.charge(chargeRequest()));
    expect(error).toMatchObject({ status: 503, code: 'payment_unavailable' });
  });

  it('throws 503 without the secret key when the key is rejected', async () => {
    fake.setMode('unauthorized');
    const error = await rejection(gateway.charge(chargeRequest()));
    expect(error).toMatchObject({ status: 503, code: 'payment_unavailable' });
    expect(JSON.stringify({ message: (error as Error).message })).not.toContain(SECRET_KEY);
  });

  it('throws 409 when a key is reused with different parameters', async () => {
    const request = chargeRequest();
    await gateway.charge(request);
    const error = await rejection(
      gateway.charge({ ...request, amountCents: cents(request.amountCents + 1) }),
    );
    expect(error).toBeInstanceOf(ConflictError);
  });

  it('throws 503 payment_unavailable when nothing listens at the API URL', async () => {
    const closed = await startFakeStripe();
    const url = closed.url;
    await closed.close();
    const offline = new StripePaymentGateway({ secretKey: SECRET_KEY, apiUrl: url, timeoutMs: 300 });
    const error = await rejection(offline.charge(chargeRequest()));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ status: 503, code: 'payment_unavailable' });
  });

  it('rejects an API URL that is not http(s)', () => {
    expect(
      () => new StripePaymentGateway({ secretKey: SECRET_KEY, apiUrl: 'ftp://x', timeoutMs: 1 }),
    ).toThrow(/http or https/);
  });
});

describe('Stripe payment links: Checkout Sessions (local fake)', () => {
  let fake: FakeStripe;
  let gateway: StripePaymentGateway;

  beforeAll(async () => {
    fake = await startFakeStripe();
    gateway = new StripePaymentGateway({
      secretKey: SECRET_KEY,
      apiUrl: fake.url,
      timeoutMs: 300,
      publicUrl: 'https://orders.example.com',
    });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.setMode('succeed');
    fake.requests.length = 0;
  });

  it('creates one payment Checkout Session for the order total under the order key', async () => {
    const request = linkRequest();
    const before = Math.floor(Date.now() / 1000);
    const link = await gateway.createPaymentLink(request);
    expect(link.linkId).toMatch(/^cs_test_/);
    expect(link.url).toBe(fake.checkoutSessions.get(link.linkId)?.url);
    expect(fake.requests).toHaveLength(1);
    const sent = fake.requests[0];
    expect(sent?.path).toBe('/v1/checkout/sessions');
    expect(sent?.idempotencyKey).toBe(request.idempotencyKey);
    expect(sent?.params).toMatchObject({
      mode: 'payment',
      allowed_payment_method_types: { '0': 'card' },
      line_items: {
        '0': {
          quantity: '1',
          price_data: { currency: 'usd', unit_amount: '4514', product_data: { name: request.description } },
        },
      },
      success_url: 'https://orders.example.com/payment/complete',
      cancel_url: 'https://orders.example.com/payment/cancelled',
      metadata: { idempotency_key: request.idempotencyKey },
    });
    // Stripe's minimum is 30 minutes from creation: asked for with a margin, never below it.
    const expiresAt = Number(sent?.params.expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 30 * 60 + 30);
    expect(expiresAt).toBeLessThanOrEqual(before + 32 * 60);
    expect(link.expiresAt.getTime()).toBe(expiresAt * 1000);
    expect(fake.checkoutSessions.get(link.linkId)).toMatchObject({
      object: 'checkout.session',
      status: 'open',
      payment_status: 'unpaid',
      amount_total: 4514,
      payment_intent: null,
    });
  });

  it('asks for the 30 minutes Stripe requires even when fewer are asked', async () => {
    const link = await gateway.createPaymentLink(linkRequest({ expiresInMinutes: 5 }));
    expect(link.expiresAt.getTime()).toBeGreaterThanOrEqual(Date.now() + 30 * 60_000);
  });

  it('replays the first session for a repeated key: Stripe creates one', async () => {
    const request = linkRequest();
    const first = await gateway.createPaymentLink(request);
    const again = await gateway.createPaymentLink(request);
    expect(again).toEqual(first);
    expect(fake.requests.map((r) => r.replayed)).toEqual([false, true]);
  });

  it('makes a new session when a retry minutes later reuses the key with a later expiry', async () => {
    const request = linkRequest();
    const first = await gateway.createPaymentLink(request);
    const now = Date.now();
    const later = vi.spyOn(Date, 'now').mockReturnValue(now + 3 * 60_000);
    try {
      const retried = await gateway.createPaymentLink(request);
      expect(retried.linkId).not.toBe(first.linkId);
      expect(retried.linkId).toMatch(/^cs_test_/);
    } finally {
      later.mockRestore();
    }
    expect(fake.requests.map((r) => r.idempotencyKey?.startsWith(request.idempotencyKey))).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('retries a 500 once under the same key and succeeds when Stripe recovers', async () => {
    fake.setMode('server_error', { times: 1 });
    const request = linkRequest();
    const link = await gateway.createPaymentLink(request);
    expect(link.linkId).toMatch(/^cs_test_/);
    expect(fake.requests.map((r) => r.idempotencyKey)).toEqual([
      request.idempotencyKey,
      request.idempotencyKey,
    ]);
  });

  it('throws 503 payment_unavailable when Stripe keeps failing with 500', async () => {
    fake.setMode('server_error');
    const error = await rejection(gateway.createPaymentLink(linkRequest()));
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ status: 503, code: 'payment_unavailable' });
  });

  it('throws 503 payment_unavailable within a bounded time when Stripe does not answer', async () => {
    fake.setMode('hang');
    const started = Date.now();
    const error = await rejection(gateway.createPaymentLink(linkRequest()));
    expect(error).toMatchObject({ status: 503, code: 'payment_unavailable' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('throws 503 payment_unavailable on malformed JSON', async () => {
    fake.setMode('malformed');
    const error = await rejection(gateway.createPaymentLink(linkRequest()));
    expect(error).toMatchObject({ status: 503, code: 'payment_unavailable' });
  });

  it('expires an open session with Stripe, and reports one paid meanwhile with its payment', async () => {
    const open = await gateway.createPaymentLink(linkRequest());
    expect(await gateway.expirePaymentLink(open.linkId)).toEqual({ status: 'expired' });
    expect(fake.checkoutSessions.get(open.linkId)?.status).toBe('expired');
    expect(fake.requests.at(-1)?.path).toBe(`/v1/checkout/sessions/${open.linkId}/expire`);

    const paid = await gateway.createPaymentLink(linkRequest());
    const session = fake.completeCheckoutSession(paid.linkId);
    expect(await gateway.expirePaymentLink(paid.linkId)).toEqual({
      status: 'complete',
      paymentId: session.payment_intent,
    });
    expect(await gateway.expirePaymentLink('cs_test_unknown')).toEqual({ status: 'expired' });
  });

  it('throws 503 payment_unavailable when a session cannot be expired for an outage', async () => {
    const link = await gateway.createPaymentLink(linkRequest());
    fake.setMode('server_error');
    const error = await rejection(gateway.expirePaymentLink(link.linkId));
    expect(error).toMatchObject({ status: 503, code: 'payment_unavailable' });
    fake.setMode('succeed');
    expect(fake.checkoutSessions.get(link.linkId)?.status).toBe('open');
  });
});

describe('MockPaymentGateway payment links', () => {
  const mock = () =>
    new MockPaymentGateway({
      failureRate: 0,
      latency: { minMs: 0, maxMs: 0 },
      seed: 'links',
      publicUrl: 'https://orders.example.com/',
    });

  it('derives the link id from the key alone and points under PUBLIC_URL', async () => {
    const request = linkRequest();
    const a = await mock().createPaymentLink(request);
    const b = await mock().createPaymentLink(request);
    expect(a.linkId).toMatch(/^cs_mock_[0-9a-f]{24}$/);
    expect(b.linkId).toBe(a.linkId);
    expect(a.url).toBe(`https://orders.example.com/payment/mock-checkout/${a.linkId}`);
  });

  it('reports a link paid before it could be expired', async () => {
    const gateway = mock();
    const link = await gateway.createPaymentLink(linkRequest());
    const paymentId = gateway.completeLink(link.linkId);
    expect(paymentId).toMatch(/^mock_pi_/);
    expect(await gateway.expirePaymentLink(link.linkId)).toEqual({ status: 'complete', paymentId });
    expect(gateway.completeLink(link.linkId)).toBeNull();
  });
});

describe('createPaymentGateway', () => {
  const base: PaymentConfig = {
    provider: 'mock',
    mock: { failureRate: 0.1, latency: { minMs: 0, maxMs: 0 }, seed: 's' },
    stripe: { timeoutMs: 1000 },
    publicUrl: 'http://localhost:8001',
  };

  it('builds the mock for provider mock', () => {
    expect(createPaymentGateway(base)).toBeInstanceOf(MockPaymentGateway);
  });

  it('builds Stripe for provider stripe with a key', () => {
    const gateway = createPaymentGateway({
      ...base,
      provider: 'stripe',
      stripe: { secretKey: SECRET_KEY, timeoutMs: 1000 },
    });
    expect(gateway).toBeInstanceOf(StripePaymentGateway);
    expect(gateway.provider).toBe('stripe');
  });

  it('refuses provider stripe without a key', () => {
    expect(() => createPaymentGateway({ ...base, provider: 'stripe' })).toThrow(/STRIPE_SECRET_KEY/);
  });
});
