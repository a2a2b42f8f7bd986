// The real SMS provider: Twilio's Messages API over plain fetch
// (POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded To/From/Body, HTTP Basic auth).
// Twilio has no idempotency key for sending, so calls in flight and recent results are shared per key here;
// the order service sends only from the process that wrote the order. The auth token is never logged or put
// into an error, and neither is the recipient's number.
import { UnavailableError, ValidationError } from '../../errors.js';
import type { SmsMessage, SmsReceipt, SmsSender } from './sms-sender.js';

export interface TwilioSmsSenderOptions {
  accountSid: string;
  authToken: string;
  /** The sending number, E.164. */
  fromNumber: string;
  /** Default https://api.twilio.com; tests point it at a local fake. */
  apiUrl?: string;
  timeoutMs: number;
}

/** Twilio error codes that mean "this recipient cannot get the message", as a caller-facing sentence. */
const RECIPIENT_ERRORS: Readonly<Record<number, string>> = {
  21211: "The phone number is not a valid 'To' number.",
  21408: 'Text messages cannot be sent to that region.',
  21610: 'That phone number has opted out of text messages.',
  21612: 'Text messages cannot be sent to that phone number.',
  21614: 'That phone number cannot receive text messages.',
};

const MAX_REMEMBERED = 10_000;

function unavailable(diagnostic: string, retryAfterSeconds = 2): UnavailableError {
  const error = new UnavailableError(
    'sms_unavailable',
    'The text message service is not responding. Please retry in a moment.',
    retryAfterSeconds,
  );
  error.cause = new Error(diagnostic);
  return error;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

export class TwilioSmsSender implements SmsSender {
  readonly provider = 'twilio' as const;

  readonly #endpoint: string;
  readonly #authorization: string;
  readonly #from: string;
  readonly #timeoutMs: number;
  readonly #sent = new Map<string, Promise<SmsReceipt>>();

  constructor(options: TwilioSmsSenderOptions) {
    if (!options.accountSid || !options.authToken || !options.fromNumber) {
      throw new Error('TwilioSmsSender needs an account SID, an auth token and a from number');
    }
    const base = (options.apiUrl ?? 'https://api.twilio.com').replace(/\/+$/, '');
    // Parsed here so a malformed base URL fails at start-up, not on the first message.
    this.#endpoint = new URL(
      `${base}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`,
    ).href;
    this.#authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
    this.#from = options.fromNumber;
    this.#timeoutMs = options.timeoutMs;
  }

  send(message: SmsMessage): Promise<SmsReceipt> {
    const key = message.idempotencyKey;
    const known = this.#sent.get(key);
    if (known) return known;
    const pending = this.#post(message);
    this.#sent.set(key, pending);
    // A failed send is forgotten so a retry sends again; a sent one is remembered (bounded).
    pending.catch(() => {
      if (this.#sent.get(key) === pending) this.#sent.delete(key);
    });
    while (this.#sent.size > MAX_REMEMBERED) {
      const oldest = this.#sent.keys().next();
      if (oldest.done) break;
      this.#sent.delete(oldest.value);
    }
    return pending;
  }

  async #post(message: SmsMessage): Promise<SmsReceipt> {
    let status: number;
    let text: string;
    try {
      // The same signal bounds the body read, so a server that stalls mid-body also times out.
      const response = await fetch(this.#endpoint, {
        method: 'POST',
        headers: {
          authorization: this.#authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ To: message.to, From: this.#from, Body: message.body }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (isTimeout(error)) throw unavailable(`Twilio: no answer in ${this.#timeoutMs} ms`);
      throw unavailable(`Twilio: ${(error as Error).message}`);
    }
    const body = parseJson(text);
    if (status === 201 || status === 200) {
      const sid = body && typeof body.sid === 'string' && body.sid.length > 0 ? body.sid : null;
      if (!sid) throw unavailable(`Twilio: HTTP ${status} without a message sid`);
      return { messageId: sid };
    }
    if (status === 401 || status === 403 || status === 404) {
      // Our account SID or token is wrong: nothing the caller did, and no quick retry will fix it.
      throw unavailable(`Twilio: HTTP ${status} (check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)`, 60);
    }
    if (status === 429) throw unavailable('Twilio: HTTP 429 (rate limited)', 5);
    if (status >= 400 && status < 500) {
      const code = body && typeof body.code === 'number' ? body.code : null;
      const sentence = code === null ? undefined : RECIPIENT_ERRORS[code];
      // Twilio's own message names the number; only its code is kept.
      throw new ValidationError(
        sentence ? 'sms_invalid_recipient' : 'sms_rejected',
        sentence ?? `The text message was refused (Twilio error ${code ?? `HTTP ${status}`}).`,
        [{ field: 'to', message: sentence ?? 'refused by Twilio', twilio_code: code }],
      );
    }
    throw unavailable(`Twilio: HTTP ${status}`);
  }
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
