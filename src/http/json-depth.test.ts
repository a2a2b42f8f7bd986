import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds } from './json-depth.js';

const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

describe('jsonDepthExceeds', () => {
  it('counts objects and arrays together, {} being one level', () => {
    expect(jsonDepthExceeds('{}', 1)).toBe(false);
    expect(jsonDepthExceeds('{"a":[{}]}', 3)).toBe(false);
    expect(jsonDepthExceeds('{"a":[{}]}', 2)).toBe(true);
    expect(jsonDepthExceeds(nested(32), 32)).toBe(false);
    expect(jsonDepthExceeds(nested(33), 32)).toBe(true);
    expect(jsonDepthExceeds(nested(33, '{"k":', '}').replace(/\{"k":\}$/, '{}'), 32)).toBe(true);
  });

  it('measures the deepest branch, not the number of siblings', () => {
    const wide = JSON.stringify({ items: Array.from({ length: 5000 }, (_, i) => ({ n: [i, [i]] })) });
    // { items: [ { n: [ i, [ i ] ] } ] }: five levels, however many items.
    expect(jsonDepthExceeds(wide, 5)).toBe(false);
    expect(jsonDepthExceeds(wide, 4)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ notes: `${'['.repeat(100)} "quoted" \\ ${'{'.repeat(100)}`, x: [1] });
    expect(jsonDepthExceeds(text, 2)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify(['\\', '[[[[', '\\"[[[[']), 1)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify([['\\'], [[['"']]]]), 3)).toBe(true);
  });

  it('scans a million levels without recursion or a stack overflow', () => {
    expect(jsonDepthExceeds(nested(1_000_000), 32)).toBe(true);
    expect(jsonDepthExceeds('['.repeat(1_000_000), 999_999)).toBe(true);
  });

  it('agrees with the depth of what JSON.parse builds', () => {
    const depthOf = (value: unknown): number =>
      value !== null && typeof value === 'object' ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;
    const samples = [
      '{"a":{"b":{"c":[1,2,{"d":"]]]}"}]}}}',
      '[[],[[]],[[[]]]]',
      '{"s":"\\\\","t":["{"]}',
      '"just a string with [ and {"',
      '42',
    ];
    for (const text of samples) {
      const depth = depthOf(JSON.parse(text));
      expect(jsonDepthExceeds(text, depth), text).toBe(false);
      if (depth > 0) expect(jsonDepthExceeds(text, depth - 1), text).toBe(true);
    }
  });
});
