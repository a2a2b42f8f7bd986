// Cross-origin browser access (@fastify/cors) for the exact origins in CORS_ORIGINS; with none, the plugin is
// not registered and no answer carries CORS headers, so browsers refuse every cross-origin call. A refused
// origin gets no CORS headers, and its preflight a 404.
import fastifyCors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export const corsPlugin = fp(
  async (app: FastifyInstance, options: { origins: readonly string[] }) => {
    if (options.origins.length === 0) return;
    const allowed = new Set(options.origins);
    await app.register(fastifyCors, {
      origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
      methods: ['GET', 'HEAD', 'POST'],
      exposedHeaders: ['Idempotent-Replayed', 'Retry-After', 'X-Request-Id'],
      maxAge: 600,
    });
  },
  { name: 'cors' },
);
