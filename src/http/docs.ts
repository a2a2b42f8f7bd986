// API documentation, all served from this app (no CDN): the OpenAPI spec at /openapi.json, Swagger UI at
// /docs, ReDoc at /redoc (its standalone bundle comes from the redoc npm package).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import fp from 'fastify-plugin';
import { SESSION_COOKIE, isProtected } from './dashboard-auth.js';
import { ErrorResponse } from './schemas/common.js';
import { contentSecurityPolicy } from './security-headers.js';

const REDOC_DIR = path.join(
  path.dirname(createRequire(import.meta.url).resolve('redoc/package.json')),
  'bundles',
);

/**
 * ReDoc's bundle with its one off-site request, the footer's logo on cdn.redoc.ly (which the policy blocks,
 * an error in every visitor's console), replaced by a small local image; patched once, when the app starts.
 */
const REDOC_LOGO_URL = 'https://cdn.redoc.ly/redoc/logo-mini.svg';
const LOCAL_LOGO =
  'data:image/svg+xml,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#6b7280"/></svg>',
  );

function redocBundle(): string {
  const original = readFileSync(path.join(REDOC_DIR, 'redoc.standalone.js'), 'utf8');
  if (!original.includes(REDOC_LOGO_URL)) return original; // a later ReDoc without the CDN logo
  return original.replace(REDOC_LOGO_URL, LOCAL_LOGO);
}

/** DASHBOARD_TOKEN, as a bearer token or as the session cookie the login sets (dashboard-auth.ts). */
const SECURITY_SCHEMES = {
  dashboardToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'DASHBOARD_TOKEN (staging and production; development is open)',
  },
  dashboardSession: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'The session POST /dashboard/login sets (HttpOnly); POST /dashboard/logout ends it',
  },
} as const;
const TOKEN_SECURITY: Array<Record<string, string[]>> = [{ dashboardToken: [] }, { dashboardSession: [] }];

/**
 * The spec's view of a route that isProtected guards: the token requirement and its 401 (the pages under
 * /dashboard redirect to the login page instead, their 303 is declared on the route). One rule, the guard's
 * own, so the document cannot disagree with what the app enforces.
 */
function withTokenRequirement(schema: FastifySchema, url: string, method: string | string[]): FastifySchema {
  // Typed as always present, but a route declared without a schema has none.
  const declared = schema as FastifySchema | undefined;
  if (!declared || ![method].flat().some((m) => isProtected(m, url))) return schema;
  const response = { ...(declared.response as Record<string, unknown> | undefined) };
  if (!url.startsWith('/dashboard')) response[401] ??= ErrorResponse;
  return { ...declared, security: TOKEN_SECURITY, response };
}

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
          { name: 'dashboard', description: "The owner's dashboard: its page, login, statistics and events" },
        ],
        components: { securitySchemes: SECURITY_SCHEMES },
      },
      transform: ({ schema, url, route }) => ({
        url,
        schema: withTokenRequirement(schema, url, route.method),
      }),
    });
    await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null } });
    const bundle = redocBundle();
    // Before the static folder's wildcard: this one file is served patched (see redocBundle).
    app.get('/redoc/static/redoc.standalone.js', { schema: { hide: true } }, (_request, reply) =>
      reply
        .type('application/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .send(bundle),
    );
    await app.register(fastifyStatic, { root: REDOC_DIR, prefix: '/redoc/static/', decorateReply: false });
    app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
    app.get('/redoc', { schema: { hide: true } }, (_request, reply) =>
      reply.header('content-security-policy', REDOC_CSP).type('text/html; charset=utf-8').send(REDOC_PAGE),
    );
  },
  { name: 'docs' },
);
