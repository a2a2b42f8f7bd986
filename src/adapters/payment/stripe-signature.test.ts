import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { signStripePayload, verifyStripeSignature } from './stripe-signature.js';

const SECRET = 'whsec_test_signature_secret';
const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded' });
const stripe = new Stripe('sk_test_unused');

describe('verifyStripeSignature', () => {
  it("accepts the header Stripe's own SDK generates, and the SDK accepts ours", async () => {
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });
    expect(verifyStripeSignature(payload, header, [SECRET])).toEqual({ ok: true });
    const ours = signStripePayload(payload, SECRET, Math.floor(Date.now() / 1000));
    const event = await stripe.webhooks.constructEventAsync(payload, ours, SECRET);
    expect(event.id).toBe('evt_1');
  });

  it('refuses a tampered body, another secret, a missing or malformed header', () => {
    const header = signStripePayload(payload, SECRET, Math.floor(Date.now() / 1000));
    expect(verifyStripeSignature(`${payload} `, header, [SECRET])).toEqual({ ok: false, reason: 'no_match' });
    expect(verifyStripeSignature(payload, header, ['whsec_other'])).toEqual({
      ok: false,
      reason: 'no_match',
    });
    expect(verifyStripeSignature(payload, undefined, [SECRET])).toEqual({
      ok: false,
      reason: 'missing_header',
    });
    for (const bad of ['', 'garbage', 't=abc,v1=00', `v1=${'a'.repeat(64)}`, 't=1700000000']) {
      expect(verifyStripeSignature(payload, bad || 'x', [SECRET])).toEqual({
        ok: false,
        reason: 'malformed_header',
      });
    }
  });

  it('refuses a signature outside the 5-minute tolerance, either way, and accepts one inside it', () => {
    const now = Date.now();
    const at = (offsetSeconds: number) =>
      signStripePayload(payload, SECRET, Math.floor(now / 1000) + offsetSeconds);
    expect(verifyStripeSignature(payload, at(-301), [SECRET], { nowMs: now })).toEqual({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
    expect(verifyStripeSignature(payload, at(301), [SECRET], { nowMs: now }).ok).toBe(false);
    expect(verifyStripeSignature(payload, at(-290), [SECRET], { nowMs: now })).toEqual({ ok: true });
  });

  it('accepts either secret while rotating, and any of several v1 signatures', () => {
    const t = Math.floor(Date.now() / 1000);
    const header = signStripePayload(payload, 'whsec_new', t);
    expect(verifyStripeSignature(payload, header, ['whsec_old', 'whsec_new'])).toEqual({ ok: true });
    const both = `${signStripePayload(payload, 'whsec_old', t)},v1=${header.split('v1=')[1]}`;
    expect(verifyStripeSignature(payload, both, ['whsec_new'])).toEqual({ ok: true });
  });
});
