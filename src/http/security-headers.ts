// Security headers on every answer (@fastify/helmet): a Content-Security-Policy that runs scripts from this app
// only (no inline scripts, no eval), no framing by other sites, no MIME sniffing, no referrer; HSTS only in
// staging and production, which are served over https. A page with other needs sets its own policy over this
// one: the dashboard (map tiles, see dashboard.routes.ts) and ReDoc (a blob: worker, see docs.ts).
import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  // Swagger UI sets style attributes and ReDoc writes <style> elements at run time.
  'style-src': ["'self'", "'unsafe-inline'"],
};

/** The default policy as a header value, with `extra` directives added or replaced. */
export function contentSecurityPolicy(extra: Record<string, readonly string[]> = {}): string {
  return Object.entries({ ...CSP_DIRECTIVES, ...extra })
    .map(([name, values]) => [name, ...values].join(' '))
    .join('; ');
}

const ONE_YEAR_SECONDS = 365 * 24 * 3600;

export const securityHeadersPlugin = fp(
  async (app: FastifyInstance, options: { hsts: boolean }) => {
    await app.register(fastifyHelmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: Object.fromEntries(Object.entries(CSP_DIRECTIVES).map(([k, v]) => [k, [...v]])),
      },
      strictTransportSecurity: options.hsts ? { maxAge: ONE_YEAR_SECONDS, includeSubDomains: true } : false,
    });
  },
  { name: 'security-headers' },
);
