// POST /webhook/stripe (Stripe events, signature-checked on the raw body), POST /api/orders/{id}/cancel
// (refund and cancel; behind DASHBOARD_TOKEN in staging and production, see http/dashboard-auth.ts), and the
// two pages a texted payment link returns the customer to.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses } from '../../http/schemas/common.js';
import { OrderIdParams, OrderView } from '../orders/orders.schemas.js';
import { orderIdFrom } from '../../http/whole-number.js';
import type { OrderCancellation } from './order-cancellation.service.js';
import type { PaymentWebhook } from './payment-webhook.service.js';

export interface PaymentsRoutesOptions {
  webhook: PaymentWebhook;
  cancellation: OrderCancellation;
}

/** Fixed text only: nothing from the request is echoed. */
const RETURN_PAGES = [
  [
    '/payment/complete',
    'Payment received',
    'Thank you! Your order is confirmed and the kitchen is on it. You can close this page.',
  ],
  [
    '/payment/cancelled',
    'Payment not made',
    'Nothing was charged. You can open the link from the text message again while it is valid, or call us.',
  ],
] as const;

/** Stripe's events are small; a charge.refunded with its refunds list stays well under this. */
const WEBHOOK_BODY_LIMIT = 256 * 1024;

const WebhookAnswer = Type.Object({
  received: Type.Boolean(),
  event_id: Type.String(),
  type: Type.String(),
  applied: Type.Boolean({ description: 'false when this event id was already applied (a redelivery)' }),
  order_ids: Type.Array(Type.Integer(), { description: 'Orders whose payment state changed' }),
});

export const paymentsRoutes: FastifyPluginAsyncTypebox<PaymentsRoutesOptions> = async (app, options) => {
  app.post(
    '/api/orders/:id/cancel',
    {
      schema: {
        tags: ['orders'],
        summary: 'Cancel an order and refund its payment',
        description:
          "Refunds a paid order in full and marks it cancelled; its day's workbook is rewritten without it. " +
          'An order awaiting payment has its payment link expired instead (nothing to refund). ' +
          'Repeating the call returns the cancelled order (header Idempotent-Replayed: true) and never refunds twice.',
        params: OrderIdParams,
        response: { 200: OrderView, ...errorResponses(401, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { order, replayed } = await options.cancellation.cancel(orderIdFrom(request.params.id));
      if (replayed) reply.header('idempotent-replayed', 'true');
      return order;
    },
  );

  for (const [path, title, text] of RETURN_PAGES) {
    app.get(
      path,
      {
        schema: {
          tags: ['payments'],
          summary: `Where a payment link returns the customer: ${title.toLowerCase()}`,
          response: { 200: Type.String() },
        },
      },
      async (_request, reply) =>
        reply
          .type('text/html; charset=utf-8')
          .send(
            `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
              `<title>${title}</title><h1>${title}</h1><p>${text}</p></html>`,
          ),
    );
  }

  // The signature covers the exact bytes received: this scope keeps the body as a string.
  await app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: WEBHOOK_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
    scope.post(
      '/webhook/stripe',
      {
        schema: {
          tags: ['payments'],
          summary: 'Stripe webhook events (Stripe-Signature verified)',
          description:
            'payment_intent.succeeded, payment_intent.payment_failed and charge.refunded update the orders on ' +
            'that payment; checkout.session.completed (paid) confirms the voice order waiting for that payment ' +
            'link and checkout.session.expired fails it; once per event id. Other events and unknown sessions ' +
            'are acknowledged and ignored.',
          response: { 200: WebhookAnswer, ...errorResponses(400, 404, 413, 415, 503) },
        },
        bodyLimit: WEBHOOK_BODY_LIMIT,
      },
      async (request) => {
        const signature = request.headers['stripe-signature'];
        const outcome = await options.webhook.handle(
          typeof request.body === 'string' ? request.body : '',
          typeof signature === 'string' ? signature : undefined,
        );
        return {
          received: true,
          event_id: outcome.eventId,
          type: outcome.type,
          applied: outcome.applied,
          order_ids: outcome.orderIds,
        };
      },
    );
  });
};
