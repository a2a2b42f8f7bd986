// Requests per minute per client IP (@fastify/rate-limit with global: false), on two sets of routes: the
// public ones anyone can call without credentials, and the webhooks, whose callers are the providers' few
// addresses (a generous limit: it stops a flood or a brute force on the webhook secret, not Vapi's real
// traffic; voice orders are also limited per caller phone in the order use-case). Not on the docs, health
// or metrics. Counts are in memory, or on Redis, shared by every API process, when REDIS_URL is set; a Redis
// that does not answer lets requests through (skipOnError). The limit runs in onRequest, before the body is
// read and before any credential check.
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { TooManyRequestsError } from '../errors.js';

/** The public routes, as `METHOD url`. */
export const PUBLIC_ROUTES: readonly string[] = [
  'POST /api/orders',
  'POST /api/orders/quote',
  'POST /dashboard/login',
];

/** The webhooks, as `METHOD url`; the simulation one exists in development only. */
export const WEBHOOK_ROUTES: readonly string[] = ['POST /webhook/vapi', 'POST /webhook/stripe'];
const OPTIONAL_WEBHOOK_ROUTES: readonly string[] = ['POST /webhook/simulation'];

export interface RateLimitOptions {
  /** Per minute on PUBLIC_ROUTES; 0 = off. */
  perMinute: number;
  /** Per minute on each webhook; 0 = off. Both off: nothing is registered. */
  webhookPerMinute: number;
  /** The rate-limit connection when REDIS_URL is set; null = counts in this process. */
  redis: Redis | null;
  keyPrefix: string;
}

export const rateLimitPlugin = fp(
  async (app: FastifyInstance, options: RateLimitOptions) => {
    const limits = new Map<string, number>();
    const required = new Set<string>();
    const add = (routes: readonly string[], max: number, mustExist: boolean) => {
      if (max <= 0) return;
      for (const route of routes) {
        limits.set(route, max);
        if (mustExist) required.add(route);
      }
    };
    add(PUBLIC_ROUTES, options.perMinute, true);
    add(WEBHOOK_ROUTES, options.webhookPerMinute, true);
    add(OPTIONAL_WEBHOOK_ROUTES, options.webhookPerMinute, false);
    if (limits.size === 0) return;
    // Marks the limited routes for @fastify/rate-limit, whose own onRoute hook (added next) reads the mark.
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        const name = `${method} ${route.url}`;
        const max = limits.get(name);
        if (max === undefined) continue;
        required.delete(name);
        route.config = { ...route.config, rateLimit: { max } };
      }
    });
    await app.register(fastifyRateLimit, {
      global: false,
      timeWindow: 60_000,
      skipOnError: true,
      ...(options.redis ? { redis: options.redis, nameSpace: `${options.keyPrefix}ip:` } : {}),
      errorResponseBuilder: (_request, context) => {
        const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
        return new TooManyRequestsError(
          'rate_limited',
          `Too many requests from this address; retry in ${seconds} s.`,
          seconds,
        );
      },
    });
    // A renamed route must not silently lose its limit.
    app.addHook('onReady', async () => {
      if (required.size > 0) throw new Error(`rate limit: no route ${[...required].join(', ')}`);
    });
  },
  { name: 'rate-limit' },
);
