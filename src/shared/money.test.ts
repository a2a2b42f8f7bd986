import { describe, expect, it } from 'vitest';
import type { PricedLine } from '../modules/menu/menu.pricing.js';
import { computeTotals } from '../modules/orders/order-totals.js';
import {
  type Cents,
  applyRate,
  cents,
  centsToDollars,
  dollarsToCents,
  formatDollars,
  rateToPpm,
} from './money.js';

const line = (itemId: string, quantity: number, unitPriceCents: number): PricedLine => ({
  itemId,
  name: itemId,
  quantity,
  unitPriceCents: cents(unitPriceCents),
  options: [],
  lineTotalCents: cents(unitPriceCents * quantity),
});

const SEED_LINES = [line('pizza-margherita', 2, 1499), line('coke', 2, 299)];
const RULES = { taxRatePpm: rateToPpm(0.08875), deliveryFeeCents: cents(599) };

describe('computeTotals (DESIGN invariant 4)', () => {
  it('prices the seed example: 2 x 14.99 + 2 x 2.99 delivered', () => {
    expect(computeTotals(SEED_LINES, 'delivery', RULES)).toEqual({
      subtotalCents: 3596,
      taxCents: 319,
      deliveryFeeCents: 599,
      totalCents: 4514,
    });
    expect(centsToDollars(4514)).toBe(45.14);
  });

  it('charges no delivery fee for pickup', () => {
    expect(computeTotals(SEED_LINES, 'pickup', RULES)).toEqual({
      subtotalCents: 3596,
      taxCents: 319,
      deliveryFeeCents: 0,
      totalCents: 3915,
    });
  });

  it('keeps total = subtotal + tax + fee for any basket', () => {
    for (let q = 1; q <= 99; q += 7) {
      const t = computeTotals([line('a', q, 1499), line('b', 1, 649)], 'delivery', RULES);
      expect(t.subtotalCents).toBe(q * 1499 + 649);
      expect(t.totalCents).toBe(t.subtotalCents + t.taxCents + t.deliveryFeeCents);
      expect(Number.isInteger(t.taxCents)).toBe(true);
    }
  });
});

describe('applyRate rounds half up in integer arithmetic', () => {
  it('converts the rate to parts per million', () => {
    expect(rateToPpm(0.08875)).toBe(88_750);
    expect(rateToPpm(0.1)).toBe(100_000);
  });

  it('rounds an exact half cent up', () => {
    // 100 x 5000 ppm = 0.5 cent exactly; 300 x 5000 = 1.5; 1 x 500000 = 0.5.
    expect(applyRate(cents(100), 5_000)).toBe(1);
    expect(applyRate(cents(300), 5_000)).toBe(2);
    expect(applyRate(cents(1), 500_000)).toBe(1);
    // 3596 x 88750 ppm = 319.141 -> 319; 4000 x 88750 = 355.0 exactly.
    expect(applyRate(cents(3596), 88_750)).toBe(319);
    expect(applyRate(cents(4000), 88_750)).toBe(355);
  });

  it('rounds an 8.875% tax at its .5 boundary up, and just below it down', () => {
    // $4.00 at 8.875% is exactly 35.5 cents -> 36; $3.99 is 35.41125 -> 35.
    expect(applyRate(cents(400), 88_750)).toBe(36);
    expect(applyRate(cents(399), 88_750)).toBe(35);
    // Every amount under $100 whose exact tax is n.5 cents (400, 1200, 2000, ...) rounds up.
    const halves: number[] = [];
    for (let amount = 1; amount < 10_000; amount++) {
      if ((amount * 88_750) % 1_000_000 === 500_000) halves.push(amount);
    }
    expect(halves.slice(0, 3)).toEqual([400, 1200, 2000]);
    for (const amount of halves) {
      const exact = (amount * 88_750) / 1_000_000;
      expect(applyRate(cents(amount), 88_750)).toBe(Math.floor(exact) + 1);
      expect(applyRate(cents(amount - 1), 88_750)).toBe(Math.round(((amount - 1) * 88_750) / 1_000_000));
    }
  });

  it('stays exact for zero, tiny and large amounts', () => {
    expect(applyRate(cents(99), 5_000)).toBe(0);
    expect(applyRate(cents(0), 88_750)).toBe(0);
    expect(applyRate(cents(1_000_000_000), 88_750)).toBe(88_750_000);
  });
});

describe('dollarsToCents', () => {
  it.each([
    [14.99, 1499],
    [2.99, 299],
    [0, 0],
    [5.99, 599],
    [1234.56, 123456],
    [0.30000000000000004, 30],
    [0.1 + 0.2, 30],
    [1.1 * 3, 330],
  ])('%s dollars -> %s cents', (dollars, expected) => {
    expect(dollarsToCents(dollars)).toBe(expected);
  });

  it.each([14.999, 0.001, 2.995, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    '%s is not a dollar amount -> null',
    (dollars) => {
      expect(dollarsToCents(dollars)).toBeNull();
    },
  );
});

describe('formatDollars', () => {
  it.each([
    [4514, '$45.14'],
    [123456, '$1,234.56'],
    [5, '$0.05'],
    [0, '$0.00'],
    [1499, '$14.99'],
    [100, '$1.00'],
    [100_000_000, '$1,000,000.00'],
    [-599, '-$5.99'],
  ])('%s cents -> %s', (amount, expected) => {
    expect(formatDollars(amount as Cents)).toBe(expected);
  });
});

describe('cents', () => {
  it('refuses fractions and unsafe integers', () => {
    expect(() => cents(1.5)).toThrow(RangeError);
    expect(() => cents(Number.NaN)).toThrow(RangeError);
    expect(() => cents(2 ** 53)).toThrow(RangeError);
    expect(cents(42)).toBe(42);
  });
});
