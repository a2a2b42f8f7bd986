// Schema building blocks shared by every route. Nullable values use OpenAPI 3.0's `nullable` so that both
// Ajv and fast-json-stringify handle them without a slow anyOf.
import { type TSchema, Type } from 'typebox';

// Caller text: at least one visible character and no control characters (PostgreSQL refuses NUL, and
// control characters have no business in a name or an address).
export const TEXT_PATTERN =
  '^[^\\u0000-\\u001F\\u007F]*[^\\s\\u0000-\\u001F\\u007F][^\\u0000-\\u001F\\u007F]*$';
export const PHONE_PATTERN = '^\\+?\\(?[0-9][0-9 ().-]{5,22}[0-9]$';
/**
 * Years 1000 to 9999 (format `date` alone takes 0000-01-01, which PostgreSQL has no date for, and years below
 * 100, which JavaScript dates read as 19xx); format `date` adds that the day exists (no 2026-02-30).
 */
export const DATE_PATTERN = '^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$';

export const CallerText = (maxLength: number, description: string) =>
  Type.String({ minLength: 1, maxLength, pattern: TEXT_PATTERN, description });

/** A business day as YYYY-MM-DD: a query or path parameter. */
export const BusinessDate = (description: string) =>
  Type.String({ format: 'date', pattern: DATE_PATTERN, description });

export const Phone = Type.String({
  minLength: 7,
  maxLength: 25,
  pattern: PHONE_PATTERN,
  description: 'Phone number, e.g. 555-123-4567, (212) 555-0142 or +1 555 123 4567',
});

export const Nullable = <T extends TSchema>(schema: T) =>
  Type.Unsafe<Type.Static<T> | null>({ ...schema, nullable: true });

/** Dollars as a JSON number with at most two decimals. */
export const Dollars = (description: string) => Type.Number({ description, examples: [14.99] });

export const ErrorResponse = Type.Object(
  {
    error: Type.String({ description: 'Stable machine-readable code, e.g. unknown_item' }),
    message: Type.String({ description: 'A sentence for a person' }),
    details: Type.Optional(
      Type.Array(
        Type.Object(
          {
            field: Type.Optional(Type.String()),
            message: Type.String(),
            suggestions: Type.Optional(Type.Array(Type.String())),
          },
          { additionalProperties: true },
        ),
      ),
    ),
  },
  { description: 'Every error answer has this shape' },
);

/** The error schema for each listed status, for a route's `response` map. */
export const errorResponses = (...statuses: number[]): Record<number, typeof ErrorResponse> =>
  Object.fromEntries(statuses.map((s) => [s, ErrorResponse]));
