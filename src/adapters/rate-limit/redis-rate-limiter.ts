// Counts on Redis, shared by every API process. One MULTI per event: create the key with the window's expiry
// if it is new (SET NX PX: the expiry half of INCR + EXPIRE, in a form every Redis version accepts), INCR it,
// read its remaining time. A Redis error allows the event and is reported: an outage must not stop orders.
// Keys are stored hashed (key-digest.ts): what is counted may be a customer's phone number.
import type { Redis } from 'ioredis';
import { rateLimitKeyDigest } from './key-digest.js';
import { type RateLimitDecision, type RateLimitWindow, type RateLimiter, decide } from './rate-limiter.js';

export interface RedisRateLimiterOptions extends RateLimitWindow {
  /** Prepended to every key; several deployments (or tests) sharing one Redis each use their own. */
  keyPrefix: string;
  /** The deployment's secret the stored key names are hashed with; null = the app's salt alone. */
  keySecret?: string | null;
  /** Redis could not count an event (it was allowed). */
  onError(error: Error): void;
}

export class RedisRateLimiter implements RateLimiter {
  readonly kind = 'redis' as const;
  private readonly digest: (key: string) => string;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisRateLimiterOptions,
  ) {
    this.digest = rateLimitKeyDigest(options.keySecret ?? null);
  }

  /** The Redis key counting `key`. */
  redisKey(key: string): string {
    return this.options.keyPrefix + this.digest(key);
  }

  async hit(key: string): Promise<RateLimitDecision> {
    const redisKey = this.redisKey(key);
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
