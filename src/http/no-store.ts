// `Cache-Control: no-store` on every answer that can carry customer data (names, phones, addresses) or business
// numbers, so no browser, proxy or CDN keeps a copy: the order APIs (lists, one order, a placed or cancelled
// order, quotes), the dashboard and its data, the reports, the metrics and the webhooks' answers (tool results
// read orders back). Keyed on the matched route's pattern, like the dashboard guard, so an encoded path gets
// the same header. The menu, docs, health and static assets stay cacheable. A route that sets its own
// Cache-Control later (the metrics) overrides this one.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { isProtected } from './dashboard-auth.js';

/** True when answers of this route (its pattern, e.g. /api/orders/:id) must not be stored by any cache. */
export function mustNotBeStored(method: string, routeUrl: string): boolean {
  return (
    isProtected(method, routeUrl) ||
    routeUrl === '/api/orders' ||
    routeUrl.startsWith('/api/orders/') ||
    routeUrl.startsWith('/webhook/')
  );
}

export const noStorePlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', async (request, reply) => {
      const route = request.routeOptions.url;
      if (route !== undefined && mustNotBeStored(request.method, route))
        reply.header('cache-control', 'no-store');
    });
  },
  { name: 'no-store' },
);
