// POST /webhook/vapi: Vapi's server URL, authenticated per reference/vapi.md section 4 (shared secret header,
// bearer token or HMAC over the raw body, compared in constant time). POST /webhook/simulation: the same
// handling without authentication, registered only in development (404 elsewhere), for local testing.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { limitJsonDepth } from '../../http/json-depth.js';
import { ErrorResponse } from '../../http/schemas/common.js';
import { type VapiAuthConfig, verifyVapiRequest } from './vapi.auth.js';
import type { VapiWebhook } from './vapi-webhook.service.js';

export interface VapiRoutesOptions {
  webhook: VapiWebhook;
  auth: VapiAuthConfig;
  simulationEnabled: boolean;
  /** Deepest JSON nesting accepted (this scope parses JSON itself, so it applies the app's limit itself). */
  jsonMaxDepth: number;
}

/** End-of-call reports carry whole transcripts: larger than an order body. */
const WEBHOOK_BODY_LIMIT = 2 * 1024 * 1024;

const ServerMessage = Type.Object(
  {
    message: Type.Object(
      {
        type: Type.String({
          description: 'tool-calls, assistant-request, status-update, end-of-call-report, …',
        }),
      },
      { additionalProperties: true },
    ),
  },
  {
    additionalProperties: true,
    description: 'A Vapi server message (https://docs.vapi.ai/server-url/events)',
  },
);

const ServerAnswer = Type.Object(
  {
    results: Type.Optional(
      Type.Array(
        Type.Object({
          toolCallId: Type.String(),
          name: Type.String(),
          result: Type.Optional(Type.String()),
          error: Type.Optional(Type.String()),
        }),
      ),
    ),
    result: Type.Optional(Type.String()),
    assistant: Type.Optional(Type.Object({}, { additionalProperties: true })),
    destination: Type.Optional(Type.Object({}, { additionalProperties: true })),
    error: Type.Optional(Type.String()),
  },
  { description: 'What Vapi reads for this message type; {} for notifications' },
);

const rawBodies = new WeakMap<FastifyRequest, string>();

export const vapiRoutes: FastifyPluginAsyncTypebox<VapiRoutesOptions> = async (app, options) => {
  // The HMAC is computed over the exact bytes received, so keep them before parsing (this scope only).
  const parseJson = limitJsonDepth(app.getDefaultJsonParser('error', 'ignore'), options.jsonMaxDepth);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: WEBHOOK_BODY_LIMIT },
    (request, body, done) => {
      rawBodies.set(request, body as string);
      // Fastify's own parser (prototype-poisoning checks included); it reports through `done`.
      void parseJson(request, body as string, done);
    },
  );

  const schema = (summary: string, withAuth: boolean) => ({
    tags: ['voice'],
    summary,
    body: ServerMessage,
    response: {
      200: ServerAnswer,
      400: ErrorResponse,
      ...(withAuth ? { 401: ErrorResponse } : {}),
      422: ErrorResponse,
    },
  });

  app.post(
    '/webhook/vapi',
    { schema: schema('Vapi server messages (authenticated)', true), bodyLimit: WEBHOOK_BODY_LIMIT },
    async (request, reply) => {
      if (options.auth.secrets.length > 0) {
        const verdict = verifyVapiRequest(request.headers, rawBodies.get(request) ?? '', options.auth);
        if (!verdict.ok) {
          request.log.warn({ reason: verdict.reason }, 'refused a Vapi webhook');
          return reply
            .status(401)
            .send({ error: 'unauthorized', message: 'Missing or invalid Vapi credentials.' });
        }
      }
      const answer = await options.webhook.handle(request.body);
      return reply.status(answer.status).send(answer.body);
    },
  );

  if (options.simulationEnabled) {
    app.post(
      '/webhook/simulation',
      {
        schema: schema('Vapi server messages without authentication (development only)', false),
        bodyLimit: WEBHOOK_BODY_LIMIT,
      },
      async (request, reply) => {
        const answer = await options.webhook.handle(request.body);
        return reply.status(answer.status).send(answer.body);
      },
    );
  }
};
