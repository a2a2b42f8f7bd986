// GET /api/events: server-sent events for the live dashboard (order created, order exported), pushed the
// moment they happen. The client's EventSource reconnects by itself (retry: 1000) and re-fetches on open,
// which is how it catches up after a restart.
import type { FastifyPluginAsync } from 'fastify';
import type { ServerResponse } from 'node:http';
import { Type } from 'typebox';
import type { OrderEvent, OrderEvents } from '../orders/order-events.js';

const KEEP_ALIVE_MS = 15_000;

export const eventsRoutes: FastifyPluginAsync<{ events: OrderEvents }> = async (app, { events }) => {
  const open = new Set<ServerResponse>();
  // Streams never finish by themselves: end them before the server waits for its connections to close.
  app.addHook('preClose', async () => {
    for (const stream of open) stream.end();
  });

  app.get(
    '/api/events',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'Live events (text/event-stream): order.created (an order), order.exported ({ ids })',
        response: {
          200: Type.String({
            description:
              'A text/event-stream: `event: order.created` with the order JSON, `event: order.exported` with { ids }',
          }),
        },
      },
    },
    (_request, reply) => {
      reply.hijack();
      const stream = reply.raw;
      stream.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      stream.write('retry: 1000\n\n');
      open.add(stream);
      const send = (event: OrderEvent) => {
        const data = event.type === 'order.exported' ? { ids: event.ids } : event.order;
        stream.write(`event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      const unsubscribe = events.subscribe(send);
      const keepAlive = setInterval(() => stream.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
      stream.on('close', () => {
        clearInterval(keepAlive);
        unsubscribe();
        open.delete(stream);
      });
    },
  );
};
