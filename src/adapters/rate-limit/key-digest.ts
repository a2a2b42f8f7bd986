// The name a rate-limit key gets on Redis. Callers count by values that are customer data (a caller's phone
// number), and Redis key names are seen by anyone with access to Redis (KEYS, MONITOR, a dump, a metrics
// exporter) for as long as a window lasts, so a key is stored as its keyed hash, never as itself.
import { createHmac } from 'node:crypto';

/**
 * A plain salted SHA-256 would not do on its own: phone numbers are few enough to hash them all and find a
 * key's number again. So the hash is an HMAC keyed by a secret of the deployment (DASHBOARD_TOKEN, required
 * in staging and production and the same in each of its API processes; a new one only restarts the counts,
 * for one window at most). Without one (development: open dashboard, local Redis) the key is this salt alone,
 * and the names are then only pseudonymous.
 */
const APP_SALT = 'phone-orders/rate-limit-key/v1';

/** The stored name of each key: hex HMAC-SHA-256, 128 bits, so no two counted values share a counter. */
export function rateLimitKeyDigest(secret: string | null): (key: string) => string {
  // Derived for this one use: the stored names reveal nothing about the secret, which keeps its other job.
  const derived = createHmac('sha256', APP_SALT)
    .update(secret ?? '')
    .digest();
  return (key) => createHmac('sha256', derived).update(key).digest('hex').slice(0, 32);
}
