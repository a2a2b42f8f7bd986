// Runs the RateLimiter contract against the in-memory limiter and against Redis at 127.0.0.1:6379 (always there
// in CI), each test with its own key prefix; then what only Redis can do wrong: fail open when Redis is gone,
// mend a key without an expiry. And the factory's choice.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeRateLimitRedis,
  connectRateLimitRedis,
  createRateLimiter,
} from '../../src/adapters/rate-limit/index.js';
import { MemoryRateLimiter } from '../../src/adapters/rate-limit/memory-rate-limiter.js';
import { RedisRateLimiter } from '../../src/adapters/rate-limit/redis-rate-limiter.js';
import { freePort, startRedis, stop } from '../helpers/processes.js';
import { type RateLimiterUnderTest, rateLimiterContract } from './rate-limiter.contract.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Nothing listens here: a Redis that is down. */
const DEAD_REDIS_URL = 'redis://127.0.0.1:1';

rateLimiterContract(
  'MemoryRateLimiter',
  (window) => Promise.resolve({ limiter: new MemoryRateLimiter(window), close: () => Promise.resolve() }),
  { shared: false },
);

interface RedisUnderTest extends RateLimiterUnderTest {
  prefix: string;
}

rateLimiterContract(
  'RedisRateLimiter',
  async (window, shareWith) => {
    const prefix = (shareWith as RedisUnderTest | undefined)?.prefix ?? `test:rl:${randomUUID()}:`;
    const errors: Error[] = [];
    const redis = await connectRateLimitRedis(REDIS_URL, (error) => errors.push(error));
    const limiter = new RedisRateLimiter(redis, {
      ...window,
      keyPrefix: prefix,
      onError: (e) => errors.push(e),
    });
    const subject: RedisUnderTest = {
      limiter,
      prefix,
      close: async () => {
        await deleteKeys(redis, prefix);
        await closeRateLimitRedis(redis);
        expect(errors).toEqual([]);
      },
    };
    return subject;
  },
  { shared: true },
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
}

describe('RedisRateLimiter on a Redis that fails', () => {
  let redis: Redis;
  const prefix = `test:rl:${randomUUID()}:`;
  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('allows at once and reports the error when Redis is down', async () => {
    const seen: Error[] = [];
    const started = performance.now();
    const dead = await connectRateLimitRedis(DEAD_REDIS_URL, (error) => seen.push(error));
    try {
      const errors: Error[] = [];
      const limiter = new RedisRateLimiter(dead, {
        limit: 1,
        windowMs: 60_000,
        keyPrefix: prefix,
        onError: (error) => errors.push(error),
      });
      const decisions = [await limiter.hit('k'), await limiter.hit('k'), await limiter.hit('k')];
      expect(decisions.every((d) => d.allowed)).toBe(true);
      expect(errors).toHaveLength(3);
      expect(seen.length).toBe(1); // the outage is reported once, not on every reconnection attempt
      expect(performance.now() - started).toBeLessThan(3_000);
    } finally {
      await closeRateLimitRedis(dead);
    }
  });

  it('starts counting once a Redis that was down at start-up comes up, and lets through again when it dies', async () => {
    // A PRIVATE redis-server on a free port, started and SIGKILLed here by its PID; never the shared one.
    const port = await freePort();
    const outages: Error[] = [];
    const client = await connectRateLimitRedis(`redis://127.0.0.1:${port}`, (error) => outages.push(error));
    const limiter = new RedisRateLimiter(client, {
      limit: 1,
      windowMs: 60_000,
      keyPrefix: prefix,
      onError: () => undefined,
    });
    let server: Awaited<ReturnType<typeof startRedis>> | null = null;
    try {
      expect((await limiter.hit('k')).allowed).toBe(true);
      expect((await limiter.hit('k')).allowed).toBe(true);
      server = await startRedis(port);
      await expect.poll(() => client.status, { timeout: 5_000 }).toBe('ready');
      expect(await limiter.hit('k')).toMatchObject({ allowed: true, count: 1 });
      expect(await limiter.hit('k')).toMatchObject({ allowed: false, count: 2 });
      await stop(server, 'SIGKILL');
      server = null;
      expect((await limiter.hit('k')).allowed).toBe(true);
      await expect.poll(() => outages.length, { timeout: 5_000 }).toBe(2); // one report per outage
      await sleep(1_000); // reconnection attempts go on meanwhile, unreported
      expect(outages).toHaveLength(2);
    } finally {
      if (server) await stop(server, 'SIGKILL');
      await closeRateLimitRedis(client);
    }
  });

  it('gives a key left without an expiry a fresh window instead of counting it forever', async () => {
    const errors: Error[] = [];
    const limiter = new RedisRateLimiter(redis, {
      limit: 5,
      windowMs: 60_000,
      keyPrefix: prefix,
      onError: (error) => errors.push(error),
    });
    await redis.set(limiter.redisKey('stuck'), '2');
    const decision = await limiter.hit('stuck');
    expect(decision).toMatchObject({ allowed: true, count: 3, retryAfterSeconds: 60 });
    const ttl = await redis.pttl(limiter.redisKey('stuck'));
    expect(ttl).toBeGreaterThan(59_000);
    expect(errors).toEqual([]);
  });

  it('allows and reports a key that holds something other than a counter', async () => {
    const errors: Error[] = [];
    const limiter = new RedisRateLimiter(redis, {
      limit: 5,
      windowMs: 60_000,
      keyPrefix: prefix,
      onError: (error) => errors.push(error),
    });
    await redis.set(limiter.redisKey('text'), 'not a number', 'PX', 60_000);
    expect((await limiter.hit('text')).allowed).toBe(true);
    expect(errors).toHaveLength(1);
  });
});

describe('createRateLimiter', () => {
  const base = { limit: 3, windowMs: 1_000, keyPrefix: 'x:', keySecret: null, onError: () => undefined };

  it('counts in memory without a Redis connection', () => {
    const limiter = createRateLimiter({ ...base, redis: null });
    expect(limiter).toBeInstanceOf(MemoryRateLimiter);
    expect(limiter.kind).toBe('memory');
  });

  it('counts on Redis with one', () => {
    const redis = new Redis(REDIS_URL, { lazyConnect: true });
    try {
      const limiter = createRateLimiter({ ...base, redis });
      expect(limiter).toBeInstanceOf(RedisRateLimiter);
      expect(limiter.kind).toBe('redis');
    } finally {
      redis.disconnect();
    }
  });
});
