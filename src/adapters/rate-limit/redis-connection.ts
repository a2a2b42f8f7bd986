// The Redis connection of the rate limits (per client IP in http/rate-limit.ts, per phone here). Counting is
// on the request path, so it fails fast instead of waiting: no offline queue, no retried commands, a short
// command timeout; the callers then let the request through.
import { Redis } from 'ioredis';

const CONNECT_TIMEOUT_MS = 2_000;
const COMMAND_TIMEOUT_MS = 500;
const CLOSE_TIMEOUT_MS = 1_000;

/**
 * Connects (waiting up to CONNECT_TIMEOUT_MS, never failing: Redis may come up later and the connection keeps
 * retrying). `onError` hears of each outage once, not of every reconnection attempt.
 */
export async function connectRateLimitRedis(url: string, onError: (error: Error) => void): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    onError(error);
  });
  redis.on('ready', () => {
    down = false;
  });
  await redis.connect().catch(() => undefined); // reported through 'error'
  return redis;
}

export async function closeRateLimitRedis(redis: Redis): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
  });
  try {
    await Promise.race([redis.quit().then(() => undefined), late]);
  } catch {
    // Not connected: nothing to flush.
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}
