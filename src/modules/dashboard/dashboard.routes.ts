// The dashboard page, its login, its assets (served from this app: no CDN) and its statistics.
import path from 'node:path';
import { createRequire } from 'node:module';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { DashboardGuard } from '../../http/dashboard-auth.js';
import { errorResponses } from '../../http/schemas/common.js';
import { PROJECT_ROOT } from '../../shared/paths.js';
import { DashboardData, DashboardQuery } from './dashboard.schemas.js';
import type { DashboardService } from './dashboard.service.js';

const PAGES = path.join(PROJECT_ROOT, 'src', 'dashboard');
const LEAFLET = path.join(
  path.dirname(createRequire(import.meta.url).resolve('leaflet/package.json')),
  'dist',
);

/**
 * The pages and the login in the API reference. Their answers are HTML or redirects, so the responses carry
 * descriptions only (no body schema: nothing to serialize). The login form is read by the parser below, not
 * validated, so that a wrong or missing token is the same redirect as a wrong one.
 */
const PAGE_SCHEMAS = {
  dashboard: {
    tags: ['dashboard'],
    summary: 'The live dashboard page (HTML); without a session, a redirect to the login page',
    response: {
      200: { description: 'The dashboard page', type: 'string' },
      303: {
        description: 'No valid token or session (staging/production): to /dashboard/login',
        type: 'null',
      },
    },
  },
  loginPage: {
    tags: ['dashboard'],
    summary: 'The login page (HTML): one field, the dashboard token',
    response: { 200: { description: 'The login page', type: 'string' } },
  },
  login: {
    tags: ['dashboard'],
    summary: 'Log in: form field `token` (application/x-www-form-urlencoded) sets the session cookie',
    description:
      'The right DASHBOARD_TOKEN starts a server-side session (HttpOnly, Secure, SameSite=Strict cookie ' +
      '`dashboard_session`, DASHBOARD_SESSION_HOURS long) and redirects to /dashboard; any other answer ' +
      'redirects to /dashboard/login?error=1. Rate limited like the order routes.',
    response: {
      303: { description: 'To /dashboard (logged in) or /dashboard/login?error=1', type: 'null' },
      ...errorResponses(429),
    },
  },
  logout: {
    tags: ['dashboard'],
    summary: "Log out: deletes the cookie's session on the server and clears the cookie",
    response: { 303: { description: 'To /dashboard/login', type: 'null' } },
  },
};

export interface DashboardRoutesOptions {
  dashboard: DashboardService;
  guard: DashboardGuard;
  /** The map's tile URL template: its origin is the only one the page may load from besides this app. */
  tileUrl: string | null;
}

/** A strict policy for the pages: scripts, styles and data from this app only; images also from the tiles. */
export function dashboardCsp(tileUrl: string | null): string {
  const tiles = tileUrl ? /^(https?:\/\/[^/]+)/.exec(tileUrl)?.[1]?.replace('{s}', '*') : undefined;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data:${tiles ? ` ${tiles}` : ''}`,
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

export const dashboardRoutes: FastifyPluginAsyncTypebox<DashboardRoutesOptions> = async (
  app,
  { dashboard, guard, tileUrl },
) => {
  const csp = dashboardCsp(tileUrl);
  await app.register(fastifyStatic, {
    root: path.join(PAGES, 'assets'),
    prefix: '/dashboard/assets/',
    decorateReply: false,
  });
  await app.register(fastifyStatic, { root: LEAFLET, prefix: '/vendor/leaflet/', decorateReply: false });
  await app.register(fastifyStatic, { root: PAGES, serve: false });

  app.get('/dashboard', { schema: PAGE_SCHEMAS.dashboard }, (_request, reply) =>
    reply.header('content-security-policy', csp).sendFile('index.html', PAGES),
  );
  app.get('/dashboard/login', { schema: PAGE_SCHEMAS.loginPage }, (_request, reply) =>
    reply.header('content-security-policy', csp).sendFile('login.html', PAGES),
  );

  // The login form posts application/x-www-form-urlencoded; only this scope parses it.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 4096 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.post('/dashboard/login', { schema: PAGE_SCHEMAS.login }, async (request, reply) => {
    const token = (request.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || !guard.matches(token))
      return reply.redirect('/dashboard/login?error=1', 303);
    await guard.startSession(reply);
    return reply.redirect('/dashboard', 303);
  });
  // Open to anyone: it only ends the session its cookie names (if any) and clears that cookie.
  app.post('/dashboard/logout', { schema: PAGE_SCHEMAS.logout }, async (request, reply) => {
    await guard.endSession(request, reply);
    return reply.redirect('/dashboard/login', 303);
  });

  app.get(
    '/api/dashboard-data',
    {
      schema: {
        tags: ['dashboard'],
        summary: "The day's statistics: revenue, orders, success rate, by source, failures, hourly chart",
        querystring: DashboardQuery,
        response: { 200: DashboardData, ...errorResponses(401, 422, 503) },
      },
    },
    async (request) => dashboard.data(request.query.date),
  );
};
