import { describe, expect, it } from 'vitest';
import { phoneLimitKey } from './phone-order-limit.js';

describe('phoneLimitKey', () => {
  it('counts one caller however the number is written, international call prefixes included', () => {
    const spellings = [
      '555-200-0001',
      '(555) 200-0001',
      '+1 555-200-0001',
      '1 555 200 0001',
      '001 555 200 0001',
      '00 1 555 200 0001',
      '011 1 555 200 0001',
    ];
    expect(new Set(spellings.map(phoneLimitKey))).toEqual(new Set(['5552000001']));
  });

  it('keeps other countries apart from North America, and one spelling of them together', () => {
    expect(phoneLimitKey('+44 20 7946 0000')).toBe('442079460000');
    expect(phoneLimitKey('0044 20 7946 0000')).toBe('442079460000');
    expect(phoneLimitKey('011 44 20 7946 0000')).toBe('442079460000');
    expect(phoneLimitKey('555-200-0001')).not.toBe(phoneLimitKey('555-200-0002'));
  });
});
