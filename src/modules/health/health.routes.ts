import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HealthService } from './health.service.js';
import { HealthView, LiveView, ReadinessView, RootView } from './health.schemas.js';

export interface HealthRoutesOptions {
  health: HealthService;
  info: { name: string; version: string; mode: string };
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, { health, info }) => {
  app.get(
    '/',
    { schema: { tags: ['system'], summary: 'Service information and links', response: { 200: RootView } } },
    async () => ({
      name: info.name,
      service: 'phone-orders',
      version: info.version,
      mode: info.mode,
      links: {
        health: '/health',
        live: '/health/live',
        ready: '/health/ready',
        metrics: '/metrics',
        docs: '/docs',
        redoc: '/redoc',
        openapi: '/openapi.json',
        menu: '/api/menu',
        orders: '/api/orders',
        dashboard: '/dashboard',
      },
    }),
  );

  app.get(
    '/health',
    {
      schema: {
        tags: ['system'],
        summary: 'Database, services and mode; 503 when not ready',
        response: { 200: HealthView, 503: HealthView },
      },
    },
    async (_request, reply) => {
      const report = await health.check();
      return reply.status(report.status === 'unavailable' ? 503 : 200).send(report);
    },
  );

  // Probes for an orchestrator (Kubernetes livenessProbe / readinessProbe) or a load balancer.
  app.get(
    '/health/live',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness: 200 whenever the process answers (no dependency is checked)',
        response: { 200: LiveView },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['system'],
        summary:
          'Readiness: 200 when the database answers and no shutdown has begun, else 503 naming the check',
        response: { 200: ReadinessView, 503: ReadinessView },
      },
    },
    async (_request, reply) => {
      const report = await health.readiness();
      return reply.status(report.status === 'ok' ? 200 : 503).send(report);
    },
  );
};
