// The RateLimiter port: counts events per key in a fixed window (new orders per customer phone). In memory
// for one process; on Redis when several API processes must share the counts. Implementations side by side,
// chosen in index.ts.

export interface RateLimitWindow {
  /** Most events per key in one window. */
  limit: number;
  /** Window length; a key's window starts with its first event. */
  windowMs: number;
}

export interface RateLimitDecision {
  /** False once more than `limit` events fell in the current window. */
  allowed: boolean;
  /** Events counted in the current window, this one included (0 when the counter could not be reached). */
  count: number;
  /** Whole seconds until the window ends and counting starts again (at least 1). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  readonly kind: 'memory' | 'redis';
  /** Counts one event for `key`. Never rejects: a counter that cannot be reached allows the event. */
  hit(key: string): Promise<RateLimitDecision>;
}

export function decide(count: number, remainingMs: number, window: RateLimitWindow): RateLimitDecision {
  return {
    allowed: count <= window.limit,
    count,
    retryAfterSeconds: Math.max(1, Math.ceil(remainingMs / 1000)),
  };
}
