// API documentation, all served from this app (no CDN): the OpenAPI spec at /openapi.json, Swagger UI at
// /docs, ReDoc at /redoc (its standalone bundle comes from the redoc npm package).
import { createRequire } from 'node:module';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { contentSecurityPolicy } from './security-headers.js';

const REDOC_DIR = path.join(
  path.dirname(createRequire(import.meta.url).resolve('redoc/package.json')),
  'bundles',
);

/** The app's policy plus the blob: worker ReDoc builds its search index in. */
const REDOC_CSP = contentSecurityPolicy({ 'worker-src': ["'self'", 'blob:'] });

const REDOC_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>API reference</title></head>
<body><redoc spec-url="/openapi.json"></redoc><script src="/redoc/static/redoc.standalone.js"></script></body>
</html>`;

export const docsPlugin = fp(
  async (app: FastifyInstance, options: { version: string; restaurant: string }) => {
    await app.register(fastifySwagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: `${options.restaurant} ordering API`,
          version: options.version,
          description:
            'Phone and web orders for a restaurant: menu, quotes, orders with idempotent creation. ' +
            'Errors always have the shape `{ error, message, details? }`.',
        },
        tags: [
          { name: 'orders', description: 'Create, quote and read orders' },
          { name: 'menu', description: 'The menu the server prices from' },
          { name: 'voice', description: 'The Vapi voice assistant webhook' },
          { name: 'reports', description: 'Daily workbooks: what they must contain, rebuilds' },
          { name: 'system', description: 'Service information and health' },
        ],
      },
    });
    await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null } });
    await app.register(fastifyStatic, { root: REDOC_DIR, prefix: '/redoc/static/', decorateReply: false });
    app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
    app.get('/redoc', { schema: { hide: true } }, (_request, reply) =>
      reply.header('content-security-policy', REDOC_CSP).type('text/html; charset=utf-8').send(REDOC_PAGE),
    );
  },
  { name: 'docs' },
);
