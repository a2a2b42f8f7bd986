// What the one log line per request says about it: the route it matched (its pattern, /api/orders/:id) and
// the names of its query parameters, never their values. Query strings carry what people type into the
// dashboard's search (customer names, phones) and whatever a client put there (tokens, keys).
import type { FastifyRequest } from 'fastify';

/** Bounds on what a client controls in an unmatched request: its path, and the names it sends. */
const MAX_PATH = 200;
const MAX_NAMES = 20;
const MAX_NAME = 40;

export interface RequestLogFields {
  method: string;
  /** The matched route's pattern; absent when no route matched (then `path` says what was asked). */
  route?: string;
  path?: string;
  /** The query parameter names, sorted, each once. */
  query?: string[];
}

export function requestLogFields(request: FastifyRequest): RequestLogFields {
  const mark = request.url.indexOf('?');
  const fields: RequestLogFields = { method: request.method };
  const route = request.routeOptions.url;
  // An unmatched request (a 404) has no pattern: its path is all there is, and no route put data in it.
  if (route) fields.route = route;
  else fields.path = (mark === -1 ? request.url : request.url.slice(0, mark)).slice(0, MAX_PATH);
  if (mark !== -1) {
    const names = new Set<string>();
    for (const name of new URLSearchParams(request.url.slice(mark + 1)).keys()) {
      if (names.size >= MAX_NAMES) break;
      names.add(name.slice(0, MAX_NAME));
    }
    if (names.size > 0) fields.query = [...names].sort();
  }
  return fields;
}
