import { describe, expect, it } from 'vitest';
import { scopedIdempotencyKey } from './place-order.js';

describe('scopedIdempotencyKey', () => {
  it('keeps voice call keys and plain REST keys as they are (stable across a deploy)', () => {
    expect(scopedIdempotencyKey('voice', 'vapi-call-1-order')).toBe('vapi-call-1-order');
    expect(scopedIdempotencyKey('api', 'order-2026-05-01-42')).toBe('order-2026-05-01-42');
    expect(scopedIdempotencyKey('api', '3f2b8c1e-5d7a-4e21-9d0b-2c6f1a7e9b40')).toBe(
      '3f2b8c1e-5d7a-4e21-9d0b-2c6f1a7e9b40',
    );
  });

  it("moves a REST key that looks like one of the service's own out of their way", () => {
    expect(scopedIdempotencyKey('api', 'vapi-call-1-order')).toBe('api:vapi-call-1-order');
    expect(scopedIdempotencyKey('api', 'srv-3f2b8c1e')).toBe('api:srv-3f2b8c1e');
  });

  it('never gives two different keys the same stored key, within REST or across the sources', () => {
    const keys = [
      'vapi-a',
      'api:vapi-a',
      'api:api:vapi-a',
      'a',
      'api:a',
      'srv-a',
      'api:srv-a',
      'vapi-x',
      'x',
    ];
    const rest = new Set(keys.map((key) => scopedIdempotencyKey('api', key)));
    expect(rest.size).toBe(keys.length);
    for (const key of keys) expect(rest.has(scopedIdempotencyKey('voice', key))).toBe(false);
  });

  it('puts a voice key that lacks its prefix in the voice namespace', () => {
    expect(scopedIdempotencyKey('voice', 'call-1-order')).toBe('vapi-call-1-order');
  });
});
