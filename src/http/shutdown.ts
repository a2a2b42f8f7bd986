// A graceful shutdown as seen over HTTP. Fastify's return503OnClosing answers a bare 503 before any hook or
// route runs, so a readiness probe could not say why; this plugin replaces it (app.ts turns it off). From
// the first moment of app.close() the health service knows: /health/ready answers 503 naming the shutdown,
// /health/live stays 200 (the process is fine, it is only leaving), and any other request still arriving on
// an open keep-alive connection gets 503 `shutting_down` with Connection: close, as Fastify would have.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { HealthService } from '../modules/health/health.service.js';

const PROBES = new Set(['/health/live', '/health/ready']);

export const shutdownPlugin = fp(
  async (
    app: FastifyInstance,
    { health }: { health: Pick<HealthService, 'beginShutdown' | 'shuttingDown'> },
  ) => {
    app.addHook('preClose', async () => health.beginShutdown());
    app.addHook('onRequest', async (request, reply) => {
      if (!health.shuttingDown || PROBES.has(request.routeOptions.url ?? '')) return;
      return reply.status(503).header('connection', 'close').header('retry-after', '1').send({
        error: 'shutting_down',
        message: 'This instance is shutting down. Please retry; another one will answer.',
      });
    });
  },
  { name: 'shutdown' },
);
