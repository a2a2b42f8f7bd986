// The one rule for text the service takes in: well-formed Unicode without NUL. PostgreSQL text cannot hold
// NUL (the query fails), and a lone UTF-16 surrogate (`\ud800`, which JSON escapes and JS strings allow) has
// no UTF-8 form: drivers store it as U+FFFD and SDKs that percent-encode it (Stripe's) throw, so such text
// would never be stored or sent as it was received. It is refused where it arrives instead.

/** With the `u` flag a surrogate pair is one code point, so `\p{Cs}` matches only a lone half. */
// NUL is the point of this pattern, not a typo.
// eslint-disable-next-line no-control-regex
const ILL_FORMED = /[\u0000\p{Cs}]/u;

export const WELL_FORMED_TEXT_RULE = 'must be valid Unicode text without NUL';

export function isWellFormedText(text: string): boolean {
  return !ILL_FORMED.test(text);
}

export interface IllFormedText {
  /** The field holding it, as error details name fields (`items[0].name`); `root` for the value itself. */
  field: string;
  /** True when a property name, not a value, is ill-formed (`field` is then the object holding it). */
  inName: boolean;
}

/**
 * The first string (value or property name) in `value` that is not well-formed text, or null. Iterative, so
 * any nesting is walked without recursion; `root` names the value itself (e.g. `body`), and is left out of
 * the paths below it (`customer_name`, not `body.customer_name`), as schema errors name fields.
 */
export function findIllFormedText(value: unknown, root: string): IllFormedText | null {
  const pending: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value: current, path } = next;
    if (typeof current === 'string') {
      if (!isWellFormedText(current)) return { field: path || root, inName: false };
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--)
        pending.push({ value: current[i], path: `${path}[${i}]` });
    } else if (typeof current === 'object' && current !== null) {
      const keys = Object.keys(current);
      for (const key of keys) if (!isWellFormedText(key)) return { field: path || root, inName: true };
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        pending.push({
          value: (current as Record<string, unknown>)[key],
          path: path ? `${path}.${key}` : key,
        });
      }
    }
  }
  return null;
}

/** "customer_name must be valid Unicode text without NUL", or the same said of a property name. */
export function describeIllFormedText({ field, inName }: IllFormedText): string {
  return inName
    ? `${field} has a field name that is not valid Unicode text or holds NUL`
    : `${field} ${WELL_FORMED_TEXT_RULE}`;
}
