// The behaviour every RateLimiter must show, wherever it counts. Run by rate-limiter.test.ts against the
// in-memory limiter and against Redis (each test its own key prefix: the shared Redis is never flushed).
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { RateLimitWindow, RateLimiter } from '../../src/adapters/rate-limit/rate-limiter.js';

export interface RateLimiterUnderTest {
  limiter: RateLimiter;
  close(): Promise<void>;
}

/** A limiter with this window; `shareWith` = count in the same place as that one (a second process). */
export type MakeRateLimiter = (
  window: RateLimitWindow,
  shareWith?: RateLimiterUnderTest,
) => Promise<RateLimiterUnderTest>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function rateLimiterContract(name: string, make: MakeRateLimiter, options: { shared: boolean }): void {
  describe(`RateLimiter contract: ${name}`, () => {
    const open: RateLimiterUnderTest[] = [];
    const limiter = async (window: RateLimitWindow, shareWith?: RateLimiterUnderTest) => {
      const subject = await make(window, shareWith);
      open.push(subject);
      return subject;
    };
    afterEach(async () => {
      for (const subject of open.splice(0)) await subject.close();
    });
    const key = () => `phone-${randomUUID()}`;

    it('allows `limit` events in a window, then refuses, counting each one', async () => {
      const { limiter: l } = await limiter({ limit: 3, windowMs: 60_000 });
      const k = key();
      const decisions = [];
      for (let i = 0; i < 5; i++) decisions.push(await l.hit(k));
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
      expect(decisions.map((d) => d.count)).toEqual([1, 2, 3, 4, 5]);
    });

    it('says when the window ends, in whole seconds from 1 to the window length', async () => {
      const { limiter: l } = await limiter({ limit: 1, windowMs: 3_600_000 });
      const k = key();
      await l.hit(k);
      const refused = await l.hit(k);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterSeconds).toBeGreaterThan(3_590);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(3_600);
      const { limiter: short } = await limiter({ limit: 1, windowMs: 200 });
      const s = key();
      await short.hit(s);
      expect((await short.hit(s)).retryAfterSeconds).toBe(1);
    });

    it('counts each key on its own', async () => {
      const { limiter: l } = await limiter({ limit: 1, windowMs: 60_000 });
      const [a, b] = [key(), key()];
      expect((await l.hit(a)).allowed).toBe(true);
      expect((await l.hit(a)).allowed).toBe(false);
      expect((await l.hit(b)).allowed).toBe(true);
    });

    it('starts counting again once the window is over', async () => {
      const { limiter: l } = await limiter({ limit: 2, windowMs: 300 });
      const k = key();
      await l.hit(k);
      await l.hit(k);
      expect((await l.hit(k)).allowed).toBe(false);
      await sleep(450);
      const fresh = await l.hit(k);
      expect(fresh).toMatchObject({ allowed: true, count: 1 });
    });

    it('keeps a fixed window: events late in it do not extend it', async () => {
      const { limiter: l } = await limiter({ limit: 1, windowMs: 500 });
      const k = key();
      await l.hit(k);
      await sleep(300);
      expect((await l.hit(k)).allowed).toBe(false);
      await sleep(300);
      expect((await l.hit(k)).allowed).toBe(true);
    });

    it('allows exactly `limit` of many events arriving at once', async () => {
      const { limiter: l } = await limiter({ limit: 5, windowMs: 60_000 });
      const k = key();
      const decisions = await Promise.all(Array.from({ length: 40 }, () => l.hit(k)));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
      expect(decisions.map((d) => d.count).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
    });

    // Only where counts can be shared: a test that would be skipped elsewhere is not defined there.
    if (options.shared)
      it('shares counts between two limiters (two API processes)', async () => {
        const first = await limiter({ limit: 3, windowMs: 60_000 });
        const second = await limiter({ limit: 3, windowMs: 60_000 }, first);
        const k = key();
        expect((await first.limiter.hit(k)).allowed).toBe(true);
        expect((await second.limiter.hit(k)).allowed).toBe(true);
        expect((await first.limiter.hit(k)).allowed).toBe(true);
        expect(await second.limiter.hit(k)).toMatchObject({ allowed: false, count: 4 });
      });
  });
}
