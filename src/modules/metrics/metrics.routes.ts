// GET /metrics: the Prometheus text exposition. Open in development; in staging and production it needs the
// dashboard token like the other business numbers (http/dashboard-auth.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses } from '../../http/schemas/common.js';
import type { Metrics } from './metrics.js';

export const metricsRoutes: FastifyPluginAsyncTypebox<{ metrics: Metrics }> = async (app, { metrics }) => {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['system'],
        summary: 'Prometheus metrics (text exposition format 0.0.4); a bearer token outside development',
        response: {
          200: Type.String({
            description:
              'text/plain; version=0.0.4: process metrics, http_requests_total, http_request_duration_seconds, ' +
              'orders_total, provider_request_duration_seconds, export_queue_depth, export_backlog_orders, ' +
              'export_lag_seconds',
          }),
          ...errorResponses(401),
        },
      },
    },
    async (_request, reply) => {
      const body = await metrics.exposition();
      return reply.type(metrics.contentType).header('cache-control', 'no-store').send(body);
    },
  );
};
