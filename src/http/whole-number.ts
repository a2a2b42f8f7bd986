// Whole numbers of a path or query, checked once more after schema validation. Ajv's type coercion turns
// "1e309" into Infinity and then passes it through `integer`, `minimum` and `maximum` (its own validator
// returns true), and PostgreSQL refuses the query (a 500). Only a safe integer within the bounds goes on.
import { ValidationError } from '../errors.js';

export function wholeNumber(field: string, value: number, min: number, max: number): number {
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
  const rule = `must be a whole number from ${min} to ${max}`;
  throw new ValidationError(
    'validation_failed',
    `${field.charAt(0).toUpperCase()}${field.slice(1)} ${rule}.`,
    [{ field, message: `${field} ${rule}` }],
  );
}

/** An order id from a path (`/api/orders/:id`). */
export const orderIdFrom = (id: number): number => wholeNumber('id', id, 1, Number.MAX_SAFE_INTEGER);
