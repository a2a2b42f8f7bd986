// POST /webhook/vapi: Vapi's server URL, authenticated per reference/vapi.md section 4 (shared secret header,
// bearer token or HMAC over the raw body, compared in constant time). POST /webhook/simulation: the same
// handling without authentication, registered only in development (404 elsewhere), for local testing.
//
// Credentials are checked before the body is parsed or validated, so a caller without them learns nothing
// about the schema (every refusal is the same 401): from the headers alone before parsing (preParsing), over
// the raw bytes in the JSON parser when only the HMAC can decide, and before validation for a request that
// had no body to parse.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { DomainError } from '../../errors.js';
import { limitJsonDepth } from '../../http/json-depth.js';
import { ErrorResponse } from '../../http/schemas/common.js';
import {
  type VapiAuthConfig,
  type VapiAuthResult,
  verifyVapiHeaders,
  verifyVapiRequest,
} from './vapi.auth.js';
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

/** Requests of /webhook/vapi whose headers left the verdict to the HMAC over the body. */
const awaitingBody = new WeakSet<FastifyRequest>();

export const vapiRoutes: FastifyPluginAsyncTypebox<VapiRoutesOptions> = async (app, options) => {
  const checked = options.auth.secrets.length > 0;
  /** The verdict as the answer: null to go on, else the 401 (every refusal looks the same to the caller). */
  const refusal = (request: FastifyRequest, verdict: VapiAuthResult): DomainError | null => {
    if (verdict.ok) return null;
    request.log.warn({ reason: verdict.reason }, 'refused a Vapi webhook');
    return new DomainError(401, 'unauthorized', 'Missing or invalid Vapi credentials.');
  };
  /** The verdict over the raw body, once, for a request whose headers could not decide. */
  const verifyBody = (request: FastifyRequest, rawBody: string): DomainError | null => {
    if (!awaitingBody.delete(request)) return null;
    return refusal(request, verifyVapiRequest(request.headers, rawBody, options.auth));
  };

  // The HMAC is computed over the exact bytes received, so the check runs here, before parsing.
  const parseJson = limitJsonDepth(app.getDefaultJsonParser('error', 'ignore'), options.jsonMaxDepth);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: WEBHOOK_BODY_LIMIT },
    (request, body, done) => {
      const refused = verifyBody(request, body as string);
      if (refused) {
        done(refused, undefined);
        return;
      }
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
      429: ErrorResponse,
    },
  });

  app.post(
    '/webhook/vapi',
    {
      schema: schema('Vapi server messages (authenticated)', true),
      bodyLimit: WEBHOOK_BODY_LIMIT,
      ...(checked
        ? {
            preParsing: async (request: FastifyRequest) => {
              const verdict = verifyVapiHeaders(request.headers, options.auth);
              if (verdict === null) awaitingBody.add(request);
              else {
                const refused = refusal(request, verdict);
                if (refused) throw refused;
              }
            },
            // A request with no body never reached the parser: its signature is checked over nothing.
            preValidation: async (request: FastifyRequest) => {
              const refused = verifyBody(request, '');
              if (refused) throw refused;
            },
          }
        : {}),
    },
    async (request, reply) => {
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
