// A local stand-in for Twilio's `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`: HTTP Basic auth,
// form-encoded To/From/Body, and the documented answers: 201 with the Message resource (`sid` SM...), 400
// with Twilio's error JSON ({ code, message, more_info, status }) such as 21211 for an invalid 'To' number,
// 401 for bad credentials. Tests switch its mode to simulate outages (500, a hang, malformed JSON).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeMode, closeServer, listenOnLoopback, textBodyServer } from './loopback.js';

export const FAKE_TWILIO_ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
export const FAKE_TWILIO_AUTH_TOKEN = 'fake_twilio_auth_token_0123456789';
export const FAKE_TWILIO_FROM = '+12125550100';

export type FakeTwilioMode = 'send' | 'invalid_number' | 'server_error' | 'hang' | 'malformed';

export interface FakeTwilioMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
}

export interface FakeTwilioRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  form: Record<string, string>;
}

export interface FakeTwilio {
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: FakeTwilioRequest[];
  /** Messages accepted (201), in order. */
  readonly messages: FakeTwilioMessage[];
  /** Sets how the next requests are answered; after `times` requests it returns to 'send'. */
  setMode(mode: FakeTwilioMode, options?: { times?: number }): void;
  close(): Promise<void>;
}

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const requests: FakeTwilioRequest[] = [];
  const messages: FakeTwilioMessage[] = [];
  const mode = new FakeMode<FakeTwilioMode>('send');
  const expectedAuth = `Basic ${Buffer.from(`${FAKE_TWILIO_ACCOUNT_SID}:${FAKE_TWILIO_AUTH_TOKEN}`).toString('base64')}`;
  const messagesPath = `/2010-04-01/Accounts/${FAKE_TWILIO_ACCOUNT_SID}/Messages.json`;

  function send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  function twilioError(res: ServerResponse, status: number, code: number, message: string): void {
    send(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
  }

  function handle(req: IncomingMessage, res: ServerResponse, rawBody: string): void {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const form = Object.fromEntries(new URLSearchParams(rawBody));
    requests.push({
      method: req.method ?? '',
      path,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      form,
    });
    if (req.method !== 'POST' || path !== messagesPath) {
      twilioError(res, 404, 20404, 'The requested resource was not found');
      return;
    }
    if (req.headers.authorization !== expectedAuth) {
      twilioError(res, 401, 20003, 'Authenticate');
      return;
    }
    switch (mode.take()) {
      case 'hang':
        return; // never answers; close() drops the socket
      case 'server_error':
        twilioError(res, 500, 20500, 'An internal server error has occurred');
        return;
      case 'malformed':
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end('{"sid": "SM123", "status": "que');
        return;
      case 'invalid_number':
        twilioError(res, 400, 21211, `The 'To' number ${form.To ?? ''} is not a valid phone number.`);
        return;
      default:
        break;
    }
    if (!form.To || !form.From || !form.Body) {
      twilioError(res, 400, 21604, "A 'To' phone number, a 'From' number and a 'Body' are required.");
      return;
    }
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const now = new Date().toUTCString();
    messages.push({ sid, to: form.To, from: form.From, body: form.Body });
    send(res, 201, {
      account_sid: FAKE_TWILIO_ACCOUNT_SID,
      api_version: '2010-04-01',
      body: form.Body,
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: form.From,
      messaging_service_sid: null,
      num_media: '0',
      num_segments: String(Math.ceil(form.Body.length / 153)),
      price: null,
      price_unit: 'USD',
      sid,
      status: 'queued',
      subresource_uris: { media: `${messagesPath.replace('.json', '')}/${sid}/Media.json` },
      to: form.To,
      uri: `${messagesPath.replace('.json', '')}/${sid}.json`,
    });
  }

  const server = textBodyServer(handle);
  const url = await listenOnLoopback(server);

  return {
    url,
    requests,
    messages,
    setMode(next, options = {}) {
      mode.set(next, options.times);
    },
    close: () => closeServer(server),
  };
}
