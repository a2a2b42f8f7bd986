// Money is an integer number of cents everywhere inside the service; dollars exist only at the edges
// (JSON, the menu file, the workbook). Tax rates are integer parts per million so no float touches arithmetic.

declare const centsBrand: unique symbol;
/** An integer amount of cents. */
export type Cents = number & { readonly [centsBrand]: true };

export function cents(value: number): Cents {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not a whole number of cents: ${value}`);
  return value as Cents;
}

/** Parses a dollar amount with at most two decimals (14.99 -> 1499); null when it has more precision. */
export function dollarsToCents(dollars: number): Cents | null {
  if (!Number.isFinite(dollars)) return null;
  const scaled = Math.round(dollars * 100);
  // Reject 14.999: the rounded value must give back the same number within float noise.
  if (Math.abs(scaled / 100 - dollars) > 1e-9) return null;
  return cents(scaled);
}

/** Cents as a JSON number of dollars with two decimals (1499 -> 14.99). */
export function centsToDollars(amount: Cents | number): number {
  return Math.round(amount) / 100;
}

/** "$45.14": the form a caller hears and a person reads. */
export function formatDollars(amount: Cents | number): string {
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  return `${sign}$${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}

/** A rate such as 0.08875 as integer parts per million (88750), the only form used in arithmetic. */
export function rateToPpm(rate: number): number {
  return Math.round(rate * 1_000_000);
}

/** round_half_up(amount * rate) in integer arithmetic: 3596 cents at 88750 ppm -> 319 cents. */
export function applyRate(amount: Cents, ratePpm: number): Cents {
  return cents(Math.floor((amount * ratePpm + 500_000) / 1_000_000));
}

export function sumCents(values: Iterable<Cents>): Cents {
  let total = 0;
  for (const v of values) total += v;
  return cents(total);
}
