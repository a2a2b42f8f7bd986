// The edge of the text rule (shared/well-formed-text.ts): path parameters, query parameters and parsed
// bodies holding NUL or a lone surrogate are refused with 422 naming the field, before schema validation
// and before any handler, so nothing is stored, charged or searched with them. It runs after the dashboard
// guard (onRequest), so an unauthenticated request learns nothing from it.
// Webhooks are left out: they authenticate their sender first and answer in their provider's terms (the Vapi
// webhook speaks a tool call's problem to the caller; Stripe's signed bytes are read by its handler).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ValidationError } from '../errors.js';
import { describeIllFormedText, findIllFormedText } from '../shared/well-formed-text.js';

const WEBHOOKS = '/webhook/';

function illFormedTextError(request: FastifyRequest): ValidationError | null {
  const sources: Array<[unknown, string]> = [
    [request.params, 'params'],
    [request.query, 'querystring'],
    [request.body, 'body'],
  ];
  for (const [value, root] of sources) {
    const found = findIllFormedText(value, root);
    if (!found) continue;
    const message = describeIllFormedText(found);
    return new ValidationError('validation_failed', `${capitalize(message)}.`, [
      { field: found.field, message },
    ]);
  }
  return null;
}

export const wellFormedTextPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('preValidation', async (request) => {
      // (No route matched: the 404 says so, whatever the query.)
      const route = request.routeOptions.url;
      if (route === undefined || route.startsWith(WEBHOOKS)) return;
      const error = illFormedTextError(request);
      if (error) throw error;
    });
  },
  { name: 'well-formed-text' },
);

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
