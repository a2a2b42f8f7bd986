// Counts in this process's memory: right for one API process (development, PGlite). Every window has the same
// length, so the Map's insertion order is expiry order and expired keys are dropped from its front.
import { type RateLimitDecision, type RateLimitWindow, type RateLimiter, decide } from './rate-limiter.js';

interface Window {
  count: number;
  endsAt: number;
}

export class MemoryRateLimiter implements RateLimiter {
  readonly kind = 'memory' as const;
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly window: RateLimitWindow,
    private readonly now: () => number = Date.now,
  ) {}

  hit(key: string): Promise<RateLimitDecision> {
    const now = this.now();
    this.dropExpired(now);
    let current = this.windows.get(key);
    if (!current || current.endsAt <= now) {
      this.windows.delete(key);
      current = { count: 0, endsAt: now + this.window.windowMs };
      this.windows.set(key, current);
    }
    current.count += 1;
    return Promise.resolve(decide(current.count, current.endsAt - now, this.window));
  }

  private dropExpired(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.endsAt > now) return;
      this.windows.delete(key);
    }
  }
}
