// Counts on Redis, shared by every API process. One MULTI per event: create the key with the window's expiry
// if it is new (SET NX PX: the expiry half of INCR + EXPIRE, in a form every Redis version accepts), INCR it,
// read its remaining time. A Redis error allows the event and is reported: an outage must not stop orders.
import type { Redis } from 'ioredis';
import { type RateLimitDecision, type RateLimitWindow, type RateLimiter, decide } from './rate-limiter.js';

export interface RedisRateLimiterOptions extends RateLimitWindow {
  /** Prepended to every key; several deployments (or tests) sharing one Redis each use their own. */
  keyPrefix: string;
  /** Redis could not count an event (it was allowed). */
  onError(error: Error): void;
}

export class RedisRateLimiter implements RateLimiter {
  readonly kind = 'redis' as const;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisRateLimiterOptions,
  ) {}

  async hit(key: string): Promise<RateLimitDecision> {
    const redisKey = this.options.keyPrefix + key;
    try {
      const replies = await this.redis
        .multi()
        .set(redisKey, 0, 'PX', this.options.windowMs, 'NX')
        .incr(redisKey)
        .pttl(redisKey)
        .exec();
      if (!replies) throw new Error('the rate limit transaction was aborted');
      for (const [error] of replies) if (error) throw error;
      const count = Number(replies[1]?.[1]);
      let remainingMs = Number(replies[2]?.[1]);
      if (!Number.isSafeInteger(count)) throw new Error(`rate limit key ${redisKey} is not a counter`);
      if (remainingMs < 0) {
        // A key without an expiry would count forever: give it a fresh window.
        remainingMs = this.options.windowMs;
        await this.redis.pexpire(redisKey, remainingMs);
      }
      return decide(count, remainingMs, this.options);
    } catch (error) {
      this.options.onError(error instanceof Error ? error : new Error(String(error)));
      return { allowed: true, count: 0, retryAfterSeconds: 1 };
    }
  }
}
