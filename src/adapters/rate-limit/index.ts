// The one place that picks the rate limiter: counts on Redis when REDIS_URL is set (so every API process
// shares them), in memory otherwise. Chosen from config alone (never from NODE_ENV).
import type { Redis } from 'ioredis';
import { MemoryRateLimiter } from './memory-rate-limiter.js';
import type { RateLimitWindow, RateLimiter } from './rate-limiter.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';

export { closeRateLimitRedis, connectRateLimitRedis } from './redis-connection.js';

export interface RateLimiterConfig extends RateLimitWindow {
  /** The rate-limit connection, present when REDIS_URL is set. */
  redis: Redis | null;
  keyPrefix: string;
  /** The deployment's secret the Redis key names are hashed with (key-digest.ts); null = none. */
  keySecret: string | null;
  /** Redis could not count an event (it was allowed). */
  onError(error: Error): void;
}

export function createRateLimiter(config: RateLimiterConfig): RateLimiter {
  const window = { limit: config.limit, windowMs: config.windowMs };
  if (config.redis) {
    return new RedisRateLimiter(config.redis, {
      ...window,
      keyPrefix: config.keyPrefix,
      keySecret: config.keySecret,
      onError: (error) => config.onError(error),
    });
  }
  return new MemoryRateLimiter(window);
}
