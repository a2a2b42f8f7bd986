// Hostile inputs for the property-based fuzz suites (test/faults/fuzz-*.test.ts): odd and oversized text,
// numbers at every edge, arbitrary JSON values, nesting deep enough to overflow a recursive walk, and the
// menu to build valid bodies from. Each suite adds the words of its own channel.
import fs from 'node:fs';
import fc from 'fast-check';

export interface MenuFile {
  items: Array<{
    id: string;
    name: string;
    aliases: string[];
    option_groups: Array<{ min: number; max: number; options: Array<{ id: string; name: string }> }>;
  }>;
}

export const MENU = JSON.parse(
  fs.readFileSync(new URL('../../menu/default-menu.json', import.meta.url), 'utf8'),
) as MenuFile;

/** Replaced by a raw JSON fragment after serialisation (JSON.stringify escapes U+0002, so it is unique). */
export const RAW = '\u0002raw\u0002';
export const RAW_JSON = JSON.stringify(RAW);

const longText = fc
  .tuple(
    fc.constantFrom('x', '🍕', 'é', '山', 'a b', '\u0000', '\u200b', '\n'),
    fc.constantFrom(1, 99, 100, 101, 200, 201, 500, 501, 1_000, 5_000, 50_000, 70_000),
  )
  .map(([unit, times]) => unit.repeat(times));

const ODD_TEXT = [
  '',
  ' ',
  '\t',
  '\u0000',
  'a\u0000b',
  '\n',
  'a\r\nb',
  '\u007f',
  '\u202eevil',
  '\ufeff',
  '\ud800',
  '\udfff\ud800',
  '=HYPERLINK("x")',
  "Robert'); DROP TABLE orders;--",
  '<script>alert(1)</script>',
  '%s%n%x',
  '${process.exit()}',
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'NaN',
  '1e309',
  '-0',
  '١٢٣',
  'Zoë Ñúñez 山田 🍕',
  '👨‍👩‍👧‍👦',
  '555-123-4567',
  '+1 555 123 4567',
];

/** PostgreSQL text cannot hold U+0000: the one character every stored string must be safe from. */
export const withNul = fc.string({ maxLength: 8 }).map((s) => `${s}\u0000${s}`);

export const weirdNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    0,
    -0,
    -1,
    0.5,
    1.5,
    0.1,
    14.99,
    14.999,
    99,
    100,
    1e6,
    2 ** 31,
    2 ** 53,
    1e308,
    -1e308,
    5e-324,
  ),
);

/** Shallow, and deep enough to overflow any recursive walk of the parsed value (fast-check favours small sizes). */
const depth = fc.oneof(
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 50 }) },
  // A recursive walk overflows the stack from about 3,000 levels; 64 KiB of body holds up to ~30,000.
  { weight: 3, arbitrary: fc.constantFrom(1_000, 5_000, 8_000, 12_000, 30_000) },
);

export const deepJson = fc
  .tuple(fc.constantFrom('[', '{"a":', '{"__proto__":', '{"constructor":'), depth)
  .map(([open, levels]) => {
    const close = open === '[' ? ']' : '}';
    return `${open.repeat(levels)}${open === '[' ? '' : '1'}${close.repeat(levels)}`;
  });

/**
 * Text and values for one channel: `words` are the strings that mean something to it (field values, tool
 * names), `keys` the property names worth trying on its objects.
 */
export function hostileValues(words: readonly string[], keys: readonly string[]) {
  const weirdText = fc.oneof(
    withNul,
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.constantFrom(...ODD_TEXT, ...words),
    longText,
  );
  const weirdKey = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', ...keys),
  );
  const garbage: fc.Arbitrary<unknown> = fc.oneof(
    weirdText,
    weirdNumber,
    fc.boolean(),
    fc.constant(null),
    fc.jsonValue({ maxDepth: 3 }),
    fc.array(weirdText, { maxLength: 5 }),
    fc.dictionary(weirdKey, weirdText, { maxKeys: 4 }),
  );
  return { weirdText, weirdKey, garbage };
}

/** Sets an own, enumerable property even for `__proto__`, so it really reaches the JSON text. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A line the menu accepts: an item by name or alias (and id, with `withIds`), with options its groups allow. */
export function menuLine({ withIds, maxQuantity }: { withIds: boolean; maxQuantity: number }) {
  return fc.constantFrom(...MENU.items).chain((item) =>
    fc.record({
      name: fc.constantFrom(item.name, ...(withIds ? [item.id] : []), ...item.aliases),
      quantity: fc.integer({ min: 1, max: maxQuantity }),
      options: fc
        .tuple(
          ...item.option_groups.map((g) =>
            fc.subarray(
              g.options.map((o) => o.name),
              { minLength: g.min, maxLength: Math.min(g.max, 2) },
            ),
          ),
        )
        .map((groups) => groups.flat()),
    }),
  );
}
