// Whole numbers of a path or query, checked once more after schema validation: Ajv coerces "1e309" to
// Infinity, which passes its integer and maximum keywords, and PostgreSQL then refuses the query (a 500).
// Only a safe integer within the bounds reaches the database.
import { ValidationError } from '../../errors.js';

export function wholeNumber(field: string, value: number, min: number, max: number): number {
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
  const rule = `must be a whole number from ${min} to ${max}`;
  throw new ValidationError(
    'validation_failed',
    `${field.charAt(0).toUpperCase()}${field.slice(1)} ${rule}.`,
    [{ field, message: `${field} ${rule}` }],
  );
}

export const orderIdFrom = (id: number): number => wholeNumber('id', id, 1, Number.MAX_SAFE_INTEGER);
