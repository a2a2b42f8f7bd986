// The one place errors become HTTP answers: `{ error, message, details? }` (DESIGN invariant 5).
// Domain errors keep their status; schema failures become 422 naming each field; an unreachable database
// is a 503 with a retry hint; anything else is a 500 whose internals stay in the log.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  ConflictError,
  DomainError,
  type ErrorDetail,
  TooManyRequestsError,
  UnavailableError,
} from '../errors.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import { DATE_PATTERN } from './schemas/common.js';

interface ErrorBody {
  error: string;
  message: string;
  details?: ErrorDetail[];
}

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

export function createErrorHandler(options: { exposeInternals: boolean }) {
  return function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    const send = (status: number, body: ErrorBody) => reply.status(status).send(body);

    if (error instanceof DomainError) {
      if (
        (error instanceof UnavailableError ||
          error instanceof ConflictError ||
          error instanceof TooManyRequestsError) &&
        error.retryAfterSeconds !== null
      ) {
        reply.header('retry-after', String(error.retryAfterSeconds));
      }
      if (error.status >= 500) request.log.warn({ code: error.code }, error.message);
      return send(error.status, {
        error: error.code,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
      });
    }
    if (error.validation) {
      const details = distinct(
        (error.validation as AjvError[]).map((e) => describeValidation(e, error.validationContext)),
      );
      const first = details[0]?.message ?? 'the request is invalid';
      const more =
        details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? 's' : ''})` : '';
      return send(422, { error: 'validation_failed', message: `${capitalize(first)}${more}.`, details });
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      reply.header('retry-after', '2');
      return send(503, {
        error: 'database_unavailable',
        message: 'The order database is not answering. Please retry in a few seconds.',
      });
    }
    const status = error.statusCode ?? 500;
    if (status < 500) return send(status, clientError(error, status));

    request.log.error({ err: error }, 'unhandled error');
    return send(500, {
      error: 'internal_error',
      message: 'Something went wrong on our side; nothing was charged twice. Please retry.',
      ...(options.exposeInternals ? { details: [{ message: error.message, stack: error.stack }] } : {}),
    });
  };
}

function clientError(error: FastifyError, status: number): ErrorBody {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { error: 'body_too_large', message: 'The request body is too large.' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        error: 'unsupported_media_type',
        message: 'Send the body as JSON (Content-Type: application/json).',
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { error: 'invalid_json', message: 'The body is empty; send a JSON object.' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { error: 'invalid_json', message: `The body is not valid JSON: ${error.message}` };
  }
  if (status === 400 && error instanceof SyntaxError) {
    return { error: 'invalid_json', message: `The body is not valid JSON: ${error.message}` };
  }
  return { error: status === 404 ? 'not_found' : 'bad_request', message: error.message };
}

/** Ajv's error as `{ field: 'items[0].quantity', message: 'items[0].quantity must be >= 1' }`. */
function describeValidation(error: AjvError, context: string | undefined): ErrorDetail {
  let field = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
  if (error.keyword === 'required' && typeof error.params.missingProperty === 'string') {
    field = field ? `${field}.${error.params.missingProperty}` : error.params.missingProperty;
    return { field, message: `${field} is required` };
  }
  if (context === 'headers' && field) field = headerName(field);
  if (!field) field = context ?? 'body';
  return { field, message: `${field} ${readableMessage(error, field)}` };
}

function readableMessage(error: AjvError, field: string): string {
  // A date fails its format, its pattern (the year) or both: one sentence either way.
  if (
    (error.keyword === 'format' && error.params.format === 'date') ||
    (error.keyword === 'pattern' && error.params.pattern === DATE_PATTERN)
  ) {
    return 'must be a calendar date as YYYY-MM-DD with a year from 1000 to 9999';
  }
  if (error.keyword === 'pattern') {
    if (field.endsWith('phone')) return 'must be a phone number such as 555-123-4567';
    if (field.endsWith('zip_code')) return 'must be a 5-digit ZIP code such as 10001';
    if (field === 'Idempotency-Key') return 'must be printable ASCII without spaces';
    return 'must not be blank or contain control characters';
  }
  if (error.keyword === 'enum' && Array.isArray(error.params.allowedValues)) {
    return `must be one of: ${error.params.allowedValues.join(', ')}`;
  }
  return error.message ?? 'is invalid';
}

/** The same problem of the same field once (a value failing two keywords that say the same). */
function distinct(details: ErrorDetail[]): ErrorDetail[] {
  const seen = new Set<string>();
  return details.filter((d) => {
    const key = `${d.field ?? ''}\u0000${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function headerName(field: string): string {
  return field.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
