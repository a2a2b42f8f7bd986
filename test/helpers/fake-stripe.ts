// A local stand-in for Stripe's `POST /v1/payment_intents`, `POST /v1/refunds` and Checkout Sessions (create,
// retrieve, expire), close enough for stripe-node to parse: the documented PaymentIntent, Refund and
// Checkout Session JSON, 402 card errors, and idempotency-key replays. Tests switch its mode to simulate
// outages, and pay or expire a session as the customer and Stripe's clock would.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeMode, closeServer, listenOnLoopback, textBodyServer } from './loopback.js';

export type FakeStripeMode =
  | 'succeed'
  | 'decline'
  | 'requires_action'
  | 'requires_payment_method'
  | 'processing'
  | 'canceled'
  | 'server_error'
  | 'rate_limit'
  | 'unauthorized'
  | 'hang'
  | 'malformed';

export interface FakeStripeDecline {
  code: string;
  decline_code?: string;
  message: string;
}

export interface FakeStripeRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  idempotencyKey: string | undefined;
  /** Form fields decoded into nested objects: `metadata[a]=b` -> `{ metadata: { a: 'b' } }`. */
  params: Record<string, unknown>;
  /** True when the answer was a stored replay. */
  replayed: boolean;
}

/** A Checkout Session as the fake keeps it: the documented object. */
export interface FakeCheckoutSession extends Record<string, unknown> {
  id: string;
  object: 'checkout.session';
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid';
  payment_intent: string | null;
  amount_total: number;
  expires_at: number;
  url: string | null;
  metadata: Record<string, unknown>;
}

export interface FakeStripe {
  /** e.g. http://127.0.0.1:53211 */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: FakeStripeRequest[];
  /** PaymentIntents created (replays excluded): the number of "charges". */
  readonly paymentIntentsCreated: number;
  /** Refunds made (replays excluded), in order. */
  readonly refunds: Array<{ paymentIntent: string; amount: number }>;
  /** Checkout Sessions created (replays excluded), by id. */
  readonly checkoutSessions: ReadonlyMap<string, FakeCheckoutSession>;
  /** Pays an open session as the customer would; returns it (with its new payment_intent) for the event. */
  completeCheckoutSession(id: string): FakeCheckoutSession;
  /** Expires an open session as Stripe's clock would; returns it for the event. */
  expireCheckoutSession(id: string): FakeCheckoutSession;
  /** Sets how the next requests are answered; after `times` requests it returns to 'succeed'. */
  setMode(mode: FakeStripeMode, options?: { times?: number; decline?: FakeStripeDecline }): void;
  close(): Promise<void>;
}

const DEFAULT_DECLINE: FakeStripeDecline = {
  code: 'card_declined',
  decline_code: 'insufficient_funds',
  message: 'Your card has insufficient funds.',
};

function id(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

/** Decodes Stripe's form encoding (`a[b][c]=v`) into nested objects. */
function decodeForm(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const path = rawKey.split(/[[\]]+/).filter((part) => part.length > 0);
    let node = out;
    path.forEach((part, i) => {
      if (i === path.length - 1) {
        node[part] = value;
      } else {
        const child = node[part];
        if (typeof child !== 'object' || child === null) node[part] = {};
        node = node[part] as Record<string, unknown>;
      }
    });
  }
  return out;
}

interface Stored {
  status: number;
  body: string;
  requestBody: string;
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const requests: FakeStripeRequest[] = [];
  const idempotent = new Map<string, Stored>();
  let created = 0;
  const refundedIntents = new Set<string>();
  const refunds: Array<{ paymentIntent: string; amount: number }> = [];
  const sessions = new Map<string, FakeCheckoutSession>();
  const mode = new FakeMode<FakeStripeMode>('succeed');
  let decline = DEFAULT_DECLINE;

  function send(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
    res.end(body);
  }

  function error(res: ServerResponse, status: number, type: string, message: string, extra = {}): void {
    send(res, status, JSON.stringify({ error: { type, message, ...extra } }));
  }

  function paymentIntent(params: Record<string, unknown>, status: string): Record<string, unknown> {
    const piId = id('pi');
    const amount = Number(params.amount);
    return {
      id: piId,
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: status === 'succeeded' ? amount : 0,
      automatic_payment_methods: params.automatic_payment_methods ?? null,
      capture_method: 'automatic',
      client_secret: `${piId}_secret_${randomBytes(8).toString('hex')}`,
      confirmation_method: 'automatic',
      created: Math.floor(Date.now() / 1000),
      currency: params.currency,
      description: params.description ?? null,
      last_payment_error: null,
      latest_charge: status === 'succeeded' ? id('ch') : null,
      livemode: false,
      metadata: params.metadata ?? {},
      next_action: status === 'requires_action' ? { type: 'use_stripe_sdk', use_stripe_sdk: {} } : null,
      payment_method: params.payment_method ?? null,
      payment_method_types: ['card'],
      status,
    };
  }

  function handle(req: IncomingMessage, res: ServerResponse, rawBody: string): void {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const key = req.headers['idempotency-key'];
    const idempotencyKey = typeof key === 'string' ? key : undefined;
    const params = decodeForm(rawBody);
    const record: FakeStripeRequest = {
      method: req.method ?? '',
      path,
      authorization: req.headers.authorization,
      idempotencyKey,
      params,
      replayed: false,
    };
    requests.push(record);

    const sessionPath = /^\/v1\/checkout\/sessions\/([^/]+)(\/expire)?$/.exec(path);
    const known =
      (req.method === 'POST' &&
        ['/v1/payment_intents', '/v1/refunds', '/v1/checkout/sessions'].includes(path)) ||
      (sessionPath !== null && req.method === (sessionPath[2] ? 'POST' : 'GET'));
    if (!known) {
      error(res, 404, 'invalid_request_error', `Unrecognized request URL (${req.method} ${path}).`);
      return;
    }
    if (!req.headers.authorization?.startsWith('Bearer sk_')) {
      error(res, 401, 'invalid_request_error', 'Invalid API Key provided.');
      return;
    }
    const stored = idempotencyKey ? idempotent.get(idempotencyKey) : undefined;
    if (stored) {
      if (stored.requestBody !== rawBody) {
        error(
          res,
          400,
          'idempotency_error',
          'Keys for idempotent requests can only be used with the same parameters.',
        );
        return;
      }
      record.replayed = true;
      res.writeHead(stored.status, { 'content-type': 'application/json', 'idempotent-replayed': 'true' });
      res.end(stored.body);
      return;
    }

    const current = mode.take();
    // Outages are answered before the API runs, so they are not stored and a retry can still succeed.
    switch (current) {
      case 'hang':
        return; // never answers; close() drops the socket
      case 'server_error':
        error(res, 500, 'api_error', 'Something went wrong on our end.');
        return;
      case 'rate_limit':
        error(res, 429, 'invalid_request_error', 'Too many requests hit the API too quickly.', {
          code: 'rate_limit',
        });
        return;
      case 'unauthorized':
        error(res, 401, 'invalid_request_error', 'Invalid API Key provided.');
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": "pi_123", "object": "payment_in');
        return;
      default:
        break;
    }

    if (sessionPath) {
      const answer = sessionPath[2]
        ? expireSession(sessionPath[1] ?? '')
        : retrieveSession(sessionPath[1] ?? '');
      if (idempotencyKey && answer.status === 200)
        idempotent.set(idempotencyKey, { ...answer, requestBody: rawBody });
      send(res, answer.status, answer.body);
      return;
    }
    if (path === '/v1/checkout/sessions') {
      const created = createSession(params);
      if (idempotencyKey && created.status === 200)
        idempotent.set(idempotencyKey, { ...created, requestBody: rawBody });
      send(res, created.status, created.body);
      return;
    }

    if (path === '/v1/refunds') {
      const refund = createRefund(params);
      if (idempotencyKey && refund.status === 200)
        idempotent.set(idempotencyKey, { ...refund, requestBody: rawBody });
      send(res, refund.status, refund.body);
      return;
    }

    created += 1;
    let status: number;
    let body: string;
    if (current === 'decline') {
      const intent = paymentIntent(params, 'requires_payment_method');
      const lastError = { type: 'card_error', ...decline };
      intent.last_payment_error = lastError;
      status = 402;
      body = JSON.stringify({
        error: {
          ...lastError,
          charge: id('ch'),
          doc_url: `https://stripe.com/docs/error-codes/${decline.code}`,
          payment_intent: intent,
          request_log_url: 'https://dashboard.stripe.com/test/logs/req_fake',
        },
      });
    } else {
      const intentStatus = current === 'succeed' ? 'succeeded' : current;
      const intent = paymentIntent(params, intentStatus);
      if (intentStatus === 'requires_payment_method')
        intent.last_payment_error = { type: 'card_error', ...decline };
      status = 200;
      body = JSON.stringify(intent);
    }
    if (idempotencyKey) idempotent.set(idempotencyKey, { status, body, requestBody: rawBody });
    send(res, status, body);
  }

  /** The documented Checkout Session (mode payment); expires_at must be 30 minutes to 24 hours away. */
  function createSession(params: Record<string, unknown>): { status: number; body: string } {
    const now = Math.floor(Date.now() / 1000);
    const expiresAt = params.expires_at === undefined ? now + 86_400 : Number(params.expires_at);
    if (!Number.isInteger(expiresAt) || expiresAt < now + 30 * 60 || expiresAt > now + 86_400) {
      return {
        status: 400,
        body: JSON.stringify({
          error: {
            type: 'invalid_request_error',
            param: 'expires_at',
            message: 'The `expires_at` timestamp must be between 30 minutes and 24 hours after creation.',
          },
        }),
      };
    }
    const lines = Object.values((params.line_items ?? {}) as Record<string, Record<string, unknown>>);
    const amount = lines.reduce((sum, line) => {
      const price = (line.price_data ?? {}) as Record<string, unknown>;
      return sum + Number(price.unit_amount) * Number(line.quantity ?? 1);
    }, 0);
    const sessionId = `cs_test_${randomBytes(24).toString('hex')}`;
    const session: FakeCheckoutSession = {
      id: sessionId,
      object: 'checkout.session',
      amount_subtotal: amount,
      amount_total: amount,
      cancel_url: params.cancel_url ?? null,
      success_url: params.success_url ?? null,
      created: now,
      currency: (lines[0]?.price_data as Record<string, unknown> | undefined)?.currency ?? 'usd',
      customer: null,
      customer_details: null,
      expires_at: expiresAt,
      livemode: false,
      metadata: (params.metadata ?? {}) as Record<string, unknown>,
      mode: params.mode ?? 'payment',
      payment_intent: null,
      payment_status: 'unpaid',
      status: 'open',
      url: `https://checkout.stripe.com/c/pay/${sessionId}#fake`,
    };
    sessions.set(sessionId, session);
    return { status: 200, body: JSON.stringify(session) };
  }

  function missingSession(sessionId: string): { status: number; body: string } {
    return {
      status: 404,
      body: JSON.stringify({
        error: {
          type: 'invalid_request_error',
          code: 'resource_missing',
          param: 'session',
          message: `No such checkout.session: '${sessionId}'`,
        },
      }),
    };
  }

  function retrieveSession(sessionId: string): { status: number; body: string } {
    const session = sessions.get(sessionId);
    return session ? { status: 200, body: JSON.stringify(session) } : missingSession(sessionId);
  }

  /** Only an open session can be expired: anything else is Stripe's 400. */
  function expireSession(sessionId: string): { status: number; body: string } {
    const session = sessions.get(sessionId);
    if (!session) return missingSession(sessionId);
    if (session.status !== 'open') {
      return {
        status: 400,
        body: JSON.stringify({
          error: {
            type: 'invalid_request_error',
            message: `This Checkout Session is ${session.status} and can no longer be expired.`,
          },
        }),
      };
    }
    session.status = 'expired';
    session.url = null;
    return { status: 200, body: JSON.stringify(session) };
  }

  function openSession(sessionId: string): FakeCheckoutSession {
    const session = sessions.get(sessionId);
    if (session?.status !== 'open') throw new Error(`no open checkout session ${sessionId}`);
    return session;
  }

  /** The documented Refund object; a second refund of a fully refunded payment is Stripe's 400. */
  function createRefund(params: Record<string, unknown>): { status: number; body: string } {
    const paymentIntentId = typeof params.payment_intent === 'string' ? params.payment_intent : '';
    if (refundedIntents.has(paymentIntentId)) {
      return {
        status: 400,
        body: JSON.stringify({
          error: {
            type: 'invalid_request_error',
            code: 'charge_already_refunded',
            message: `Charge for ${paymentIntentId} has already been refunded.`,
          },
        }),
      };
    }
    refundedIntents.add(paymentIntentId);
    refunds.push({ paymentIntent: paymentIntentId, amount: Number(params.amount) });
    return {
      status: 200,
      body: JSON.stringify({
        id: id('re'),
        object: 'refund',
        amount: Number(params.amount),
        charge: id('ch'),
        created: Math.floor(Date.now() / 1000),
        currency: 'usd',
        metadata: {},
        payment_intent: paymentIntentId,
        reason: null,
        status: 'succeeded',
      }),
    };
  }

  const server = textBodyServer(handle);
  const url = await listenOnLoopback(server);

  return {
    url,
    requests,
    get paymentIntentsCreated() {
      return created;
    },
    refunds,
    checkoutSessions: sessions,
    completeCheckoutSession(sessionId) {
      const session = openSession(sessionId);
      session.status = 'complete';
      session.payment_status = 'paid';
      session.payment_intent = id('pi');
      session.url = null;
      return structuredClone(session);
    },
    expireCheckoutSession(sessionId) {
      const session = openSession(sessionId);
      session.status = 'expired';
      session.url = null;
      return structuredClone(session);
    },
    setMode(next, options = {}) {
      mode.set(next, options.times);
      decline = options.decline ?? DEFAULT_DECLINE;
    },
    close: () => closeServer(server),
  };
}
