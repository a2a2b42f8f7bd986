// Development only (the mock payment provider): the page a mock payment link opens. Stripe's Checkout and its
// webhook do not exist there, so its one button applies the payment as Stripe's checkout.session.completed
// would, through the same webhook service, and a voice-agent builder can follow a link order to the end.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { formatDollars } from '../../shared/money.js';
import type { PaymentWebhook } from './payment-webhook.service.js';

const LinkParams = Type.Object({ linkId: Type.String({ pattern: '^cs_mock_[0-9a-f]{1,64}$' }) });

const UNKNOWN = [
  'Unknown payment link',
  '<p>No order waits for this link: it is unknown, or already paid.</p>',
] as const;

/** Fixed text and validated ids only: nothing a caller said is written into the page. */
const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
  `<title>${title}</title><h1>${title}</h1>${body}</html>`;

export const mockCheckoutRoutes: FastifyPluginAsyncTypebox<{ webhook: PaymentWebhook }> = async (
  app,
  { webhook },
) => {
  // The page's form posts an empty url-encoded body: accepted here only, and ignored.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, _b, done) =>
    done(null, {}),
  );

  app.get(
    '/payment/mock-checkout/:linkId',
    {
      schema: {
        tags: ['payments'],
        summary: 'Development only: the mock payment link page',
        params: LinkParams,
        response: { 200: Type.String(), 404: Type.String() },
      },
    },
    async (request, reply) => {
      const { linkId } = request.params;
      const order = await webhook.linkOrder(linkId);
      reply.type('text/html; charset=utf-8');
      if (!order) return reply.status(404).send(page(...UNKNOWN));
      if (order.status !== 'awaiting_payment')
        return page(
          `Order ${order.id}`,
          `<p>This order no longer waits for a payment (${order.status}).</p>`,
        );
      return page(
        `Pay order ${order.id}`,
        `<p>Development payment page: nothing is charged.</p>` +
          `<form method="post" action="/payment/mock-checkout/${linkId}">` +
          `<button type="submit">Pay ${formatDollars(order.totalCents)}</button></form>`,
      );
    },
  );

  app.post(
    '/payment/mock-checkout/:linkId',
    {
      schema: {
        tags: ['payments'],
        summary: 'Development only: pay a mock payment link (as Stripe checkout.session.completed)',
        params: LinkParams,
        response: { 200: Type.String(), 404: Type.String() },
      },
    },
    async (request, reply) => {
      const { linkId } = request.params;
      const order = await webhook.linkOrder(linkId);
      if (order?.status !== 'awaiting_payment')
        return reply
          .status(404)
          .type('text/html; charset=utf-8')
          .send(page(...UNKNOWN));
      await webhook.mockLinkPaid(linkId);
      return reply
        .type('text/html; charset=utf-8')
        .send(
          page('Payment received', `<p>Order ${order.id} is paid (development: nothing was charged).</p>`),
        );
    },
  );
};
