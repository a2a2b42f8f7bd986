// Security headers on every answer (helmet's): a Content-Security-Policy that runs scripts from this app
// only (no inline scripts, no eval), no framing by other sites, no MIME sniffing, no referrer; HSTS only in
// staging and production, which are served over https. A page with other needs sets its own policy over this
// one: the dashboard (map tiles, see dashboard.routes.ts) and ReDoc (a blob: worker, see docs.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
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

/**
 * helmet's headers, computed once: helmet is connect-style middleware that rebuilds every header on every
 * request (about 20 µs and a burst of garbage per order, measured with the bench's CPU profile); the values
 * never change, so the hook below only copies them.
 */
export function securityHeaders(options: { hsts: boolean }): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  const middleware = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: Object.fromEntries(Object.entries(CSP_DIRECTIVES).map(([k, v]) => [k, [...v]])),
    },
    strictTransportSecurity: options.hsts ? { maxAge: ONE_YEAR_SECONDS, includeSubDomains: true } : false,
  });
  middleware({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}

export const securityHeadersPlugin = fp(
  async (app: FastifyInstance, options: { hsts: boolean }) => {
    const headers = securityHeaders(options);
    app.addHook('onRequest', async (_request, reply) => {
      reply.headers(headers);
    });
  },
  { name: 'security-headers' },
);
