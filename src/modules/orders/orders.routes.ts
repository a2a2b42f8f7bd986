import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/schemas/common.js';
import type { OrdersService } from './orders.service.js';
import { type PlaceOrder, ReplayedDeclineError } from './place-order.js';
import { orderIdFrom, wholeNumber } from '../../http/whole-number.js';
import { orderRequestFromBody } from './order-request.js';
import {
  CreateOrderBody,
  IdempotencyHeaders,
  ListOrdersQuery,
  MAX_PAGE,
  MAX_PAGE_SIZE,
  OrderIdParams,
  OrderList,
  OrderView,
  QuoteView,
} from './orders.schemas.js';

export interface OrdersRoutesOptions {
  placeOrder: PlaceOrder;
  orders: OrdersService;
}

export const ordersRoutes: FastifyPluginAsyncTypebox<OrdersRoutesOptions> = async (
  app,
  { placeOrder, orders },
) => {
  app.post(
    '/api/orders',
    {
      schema: {
        tags: ['orders'],
        summary: 'Place an order',
        description:
          'Validates, prices from the menu, checks the address, charges, stores. Send an Idempotency-Key to make ' +
          'retries safe: a repeat returns the first answer, a 402 decline included (header Idempotent-Replayed: ' +
          'true), and never charges twice.',
        headers: IdempotencyHeaders,
        body: CreateOrderBody,
        response: { 201: OrderView, ...errorResponses(400, 402, 409, 413, 415, 422, 429, 503) },
      },
    },
    async (request, reply) => {
      const placed = await placeOrder
        .execute(orderRequestFromBody(request.body), {
          source: 'api',
          idempotencyKey: request.headers['idempotency-key'] ?? null,
          vapiCallId: null,
        })
        .catch((error: unknown) => {
          // The stored 402 given again is a replay too (the error handler keeps this header).
          if (error instanceof ReplayedDeclineError) reply.header('idempotent-replayed', 'true');
          throw error;
        });
      if (placed.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(placed.order);
    },
  );

  app.post(
    '/api/orders/quote',
    {
      schema: {
        tags: ['orders'],
        summary: 'Price an order without placing it',
        description:
          'Items as understood, tax, fee, total and the delivery check; nothing is charged or stored.',
        body: CreateOrderBody,
        response: { 200: QuoteView, ...errorResponses(400, 413, 415, 422, 429, 503) },
      },
    },
    async (request) => orders.quote(orderRequestFromBody(request.body)),
  );

  app.get(
    '/api/orders',
    {
      schema: {
        tags: ['orders'],
        summary: 'List orders, newest first',
        querystring: ListOrdersQuery,
        response: { 200: OrderList, ...errorResponses(422, 503) },
      },
    },
    async (request) =>
      orders.list({
        ...request.query,
        page: wholeNumber('page', request.query.page, 1, MAX_PAGE),
        page_size: wholeNumber('page_size', request.query.page_size, 1, MAX_PAGE_SIZE),
      }),
  );

  app.get(
    '/api/orders/:id',
    {
      schema: {
        tags: ['orders'],
        summary: 'One order with its items, payment and delivery details',
        params: OrderIdParams,
        response: { 200: OrderView, ...errorResponses(404, 422, 503) },
      },
    },
    async (request) => orders.get(orderIdFrom(request.params.id)),
  );
};
