// Rate-limit keys reach Redis only as keyed hashes: the same key and secret always name the same counter,
// and nothing of the key (a phone number) or of the secret can be read from the name.
import { describe, expect, it } from 'vitest';
import { rateLimitKeyDigest } from './key-digest.js';

describe('rateLimitKeyDigest', () => {
  const PHONE = '6465550173';
  const SECRET = 'a-dashboard-token-of-24-chars+';

  it('names a key by 32 hex digits holding nothing of the key or the secret', () => {
    const name = rateLimitKeyDigest(SECRET)(PHONE);
    expect(name).toMatch(/^[0-9a-f]{32}$/);
    expect(name).not.toContain('5550173');
    expect(name).not.toContain(SECRET);
  });

  it('is the same for the same key and secret, in every process', () => {
    expect(rateLimitKeyDigest(SECRET)(PHONE)).toBe(rateLimitKeyDigest(SECRET)(PHONE));
    expect(rateLimitKeyDigest(null)(PHONE)).toBe(rateLimitKeyDigest(null)(PHONE));
  });

  it('differs between keys, and between deployments with other secrets (or none)', () => {
    const digest = rateLimitKeyDigest(SECRET);
    expect(digest('6465550174')).not.toBe(digest(PHONE));
    expect(rateLimitKeyDigest('another-deployment-secret-xx')(PHONE)).not.toBe(digest(PHONE));
    expect(rateLimitKeyDigest(null)(PHONE)).not.toBe(digest(PHONE));
  });
});
