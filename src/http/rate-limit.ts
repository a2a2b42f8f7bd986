// Requests per minute per client IP on the routes anyone can call without credentials (@fastify/rate-limit
// with global: false). Not on the webhooks (they come from the providers' few addresses and are
// authenticated; voice orders are limited per caller phone in the order use-case), the docs, health or
// metrics. Counts are in memory, or on Redis, shared by every API process, when REDIS_URL is set; a Redis
// that does not answer lets requests through (skipOnError).
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

export interface RateLimitOptions {
  /** 0 = off: nothing is registered. */
  perMinute: number;
  /** The rate-limit connection when REDIS_URL is set; null = counts in this process. */
  redis: Redis | null;
  keyPrefix: string;
}

export const rateLimitPlugin = fp(
  async (app: FastifyInstance, options: RateLimitOptions) => {
    if (options.perMinute <= 0) return;
    const unmarked = new Set(PUBLIC_ROUTES);
    // Marks the public routes for @fastify/rate-limit, whose own onRoute hook (added next) reads the mark.
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (methods.some((method) => unmarked.delete(`${method} ${route.url}`)))
        route.config = { ...route.config, rateLimit: {} };
    });
    await app.register(fastifyRateLimit, {
      global: false,
      max: options.perMinute,
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
      if (unmarked.size > 0) throw new Error(`rate limit: no route ${[...unmarked].join(', ')}`);
    });
  },
  { name: 'rate-limit' },
);
