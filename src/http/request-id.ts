// The request id: the client's `x-request-id` when it is a plain token (a proxy's or a load balancer's id lets
// one request be followed across services), otherwise a new UUID. A client's value is echoed in a response
// header and written to every log line of the request, so anything longer, or with characters outside
// [A-Za-z0-9._:-] (spaces, quotes, control characters), is never used.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's genReqId (with requestIdHeader off, so that every id passes through here). */
export function requestIdOf(request: IncomingMessage): string {
  const sent = request.headers[REQUEST_ID_HEADER];
  return typeof sent === 'string' && ACCEPTED_ID.test(sent) ? sent : randomUUID();
}
