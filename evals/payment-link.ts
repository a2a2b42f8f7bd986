// What happens to a texted payment link outside the call: the caller pays it on the development mock's
// checkout page, or it expires unpaid and Stripe says so with a signed checkout.session.expired event.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { signStripePayload } from '../src/adapters/payment/stripe-signature.js';
import { EVAL_STRIPE_WEBHOOK_SECRET } from './eval-host.js';

export type LinkOutcome = 'paid' | 'expired';

/** Problems (empty when the app took the outcome). */
export async function settleLink(
  app: FastifyInstance,
  linkId: string,
  outcome: LinkOutcome,
): Promise<string[]> {
  if (outcome === 'paid') {
    const res = await app.inject({
      method: 'POST',
      url: `/payment/mock-checkout/${linkId}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    return res.statusCode === 200
      ? []
      : [`paying link ${linkId} answered ${res.statusCode}: ${res.body.slice(0, 200)}`];
  }
  const body = JSON.stringify({
    id: `evt_eval_${randomUUID().replaceAll('-', '')}`,
    object: 'event',
    type: 'checkout.session.expired',
    data: { object: { id: linkId, object: 'checkout.session', status: 'expired', payment_status: 'unpaid' } },
  });
  const res = await app.inject({
    method: 'POST',
    url: '/webhook/stripe',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': signStripePayload(body, EVAL_STRIPE_WEBHOOK_SECRET, Math.floor(Date.now() / 1000)),
    },
    payload: body,
  });
  return res.statusCode === 200
    ? []
    : [`expiring link ${linkId} answered ${res.statusCode}: ${res.body.slice(0, 200)}`];
}
