import { describe, expect, it } from 'vitest';
import { lastFourDigits, toE164 } from './phone.js';

describe('toE164', () => {
  it('makes North American numbers +1 and keeps international ones', () => {
    expect(toE164('555-123-4567')).toBe('+15551234567');
    expect(toE164('(212) 555-0123')).toBe('+12125550123');
    expect(toE164('1 212 555 0123')).toBe('+12125550123');
    expect(toE164('+12125550123')).toBe('+12125550123');
    expect(toE164('+44 20 7946 0958')).toBe('+442079460958');
  });

  it('refuses what cannot be a phone number', () => {
    for (const bad of ['', '12345', '+0123456789', '+1234567890123456', '2125550123456']) {
      expect(toE164(bad)).toBeNull();
    }
  });
});

describe('lastFourDigits', () => {
  it('reads the last four digits whatever the formatting', () => {
    expect(lastFourDigits('+1 (212) 555-0123')).toBe('0123');
    expect(lastFourDigits('555-123-4567')).toBe('4567');
  });
});
