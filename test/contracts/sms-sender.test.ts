import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSmsSender, type SmsConfig } from '../../src/adapters/sms/index.js';
import { MockSmsSender } from '../../src/adapters/sms/mock-sms-sender.js';
import { TwilioSmsSender } from '../../src/adapters/sms/twilio-sms-sender.js';
import { UnavailableError, ValidationError } from '../../src/errors.js';
import {
  FAKE_TWILIO_ACCOUNT_SID,
  FAKE_TWILIO_AUTH_TOKEN,
  FAKE_TWILIO_FROM,
  type FakeTwilio,
  startFakeTwilio,
} from '../helpers/fake-twilio.js';
import { smsMessage, smsSenderContract } from './sms-sender.contract.js';
import { rejection } from '../helpers/rejection.js';

const twilio = (url: string, overrides: Partial<ConstructorParameters<typeof TwilioSmsSender>[0]> = {}) =>
  new TwilioSmsSender({
    accountSid: FAKE_TWILIO_ACCOUNT_SID,
    authToken: FAKE_TWILIO_AUTH_TOKEN,
    fromNumber: FAKE_TWILIO_FROM,
    apiUrl: url,
    timeoutMs: 300,
    ...overrides,
  });

smsSenderContract('MockSmsSender', () => {
  const sender = new MockSmsSender();
  return Promise.resolve({
    sender,
    delivered: () => sender.sent().map(({ to, body }) => ({ to, body })),
    close: () => Promise.resolve(),
  });
});

smsSenderContract('TwilioSmsSender against a local fake', async () => {
  const fake = await startFakeTwilio();
  return {
    sender: twilio(fake.url),
    delivered: () => fake.messages.map(({ to, body }) => ({ to, body })),
    close: () => fake.close(),
  };
});

describe('TwilioSmsSender (local fake)', () => {
  let fake: FakeTwilio;
  let sender: TwilioSmsSender;

  beforeAll(async () => {
    fake = await startFakeTwilio();
    sender = twilio(fake.url);
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.setMode('send');
    fake.requests.length = 0;
  });

  it("posts Twilio's documented form with HTTP Basic auth to the account's Messages resource", async () => {
    const message = smsMessage();
    const { messageId } = await sender.send(message);
    expect(fake.messages.at(-1)).toEqual({
      sid: messageId,
      to: message.to,
      from: FAKE_TWILIO_FROM,
      body: message.body,
    });
    const request = fake.requests[0];
    expect(request).toMatchObject({
      method: 'POST',
      path: `/2010-04-01/Accounts/${FAKE_TWILIO_ACCOUNT_SID}/Messages.json`,
      contentType: expect.stringMatching(/^application\/x-www-form-urlencoded/),
      form: { To: message.to, From: FAKE_TWILIO_FROM, Body: message.body },
    });
    expect(request?.authorization).toBe(
      `Basic ${Buffer.from(`${FAKE_TWILIO_ACCOUNT_SID}:${FAKE_TWILIO_AUTH_TOKEN}`).toString('base64')}`,
    );
  });

  it("maps 400 code 21211 (invalid 'To' number) to a 422 naming the problem but not the number", async () => {
    fake.setMode('invalid_number');
    const error = await rejection(sender.send(smsMessage({ to: '+15005550001' })));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 422, code: 'sms_invalid_recipient' });
    expect((error as Error).message).toMatch(/not a valid 'To' number/);
    expect(
      JSON.stringify({ m: (error as Error).message, d: (error as ValidationError).details }),
    ).not.toContain('5005550001');
    expect((error as ValidationError).details?.[0]).toMatchObject({ twilio_code: 21211 });
  });

  it('maps a 500 to 503 sms_unavailable and sends on the retry (a failure is not remembered)', async () => {
    fake.setMode('server_error', { times: 1 });
    const message = smsMessage();
    const error = await rejection(sender.send(message));
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ status: 503, code: 'sms_unavailable' });
    const { messageId } = await sender.send(message);
    expect(fake.messages.at(-1)?.sid).toBe(messageId);
  });

  it('gives up with 503 sms_unavailable within its timeout when Twilio does not answer', async () => {
    fake.setMode('hang');
    const started = Date.now();
    const error = await rejection(sender.send(smsMessage()));
    expect(error).toMatchObject({ status: 503, code: 'sms_unavailable' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('maps malformed JSON to 503 sms_unavailable', async () => {
    fake.setMode('malformed');
    const error = await rejection(sender.send(smsMessage()));
    expect(error).toMatchObject({ status: 503, code: 'sms_unavailable' });
  });

  it('maps refused credentials to 503 (retry much later) without the token in the error', async () => {
    const wrong = twilio(fake.url, { authToken: 'not_the_token_s3cr3t' });
    const error = await rejection(wrong.send(smsMessage()));
    expect(error).toMatchObject({ status: 503, code: 'sms_unavailable', retryAfterSeconds: 60 });
    const text = JSON.stringify({ m: (error as Error).message, c: String((error as Error).cause) });
    expect(text).not.toContain('not_the_token_s3cr3t');
    expect(text).not.toContain(FAKE_TWILIO_AUTH_TOKEN);
  });

  it('maps nothing listening to 503 sms_unavailable', async () => {
    const closed = await startFakeTwilio();
    const url = closed.url;
    await closed.close();
    const error = await rejection(twilio(url).send(smsMessage()));
    expect(error).toMatchObject({ status: 503, code: 'sms_unavailable' });
  });
});

describe('MockSmsSender', () => {
  it('logs the message with the phone number masked', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const sender = new MockSmsSender(pino({ level: 'info' }, stream));
    await sender.send(smsMessage({ to: '+12125550123' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('***0123');
    expect(lines[0]).not.toContain('2125550123');
    expect(sender.sentTo('+12125550123')).toHaveLength(1);
  });
});

describe('createSmsSender', () => {
  const base: SmsConfig = { provider: 'mock', twilio: { timeoutMs: 1000 } };

  it('builds the mock for provider mock and Twilio for provider twilio with its keys', () => {
    expect(createSmsSender(base)).toBeInstanceOf(MockSmsSender);
    const real = createSmsSender({
      provider: 'twilio',
      twilio: {
        accountSid: FAKE_TWILIO_ACCOUNT_SID,
        authToken: FAKE_TWILIO_AUTH_TOKEN,
        fromNumber: FAKE_TWILIO_FROM,
        timeoutMs: 1000,
      },
    });
    expect(real).toBeInstanceOf(TwilioSmsSender);
    expect(real.provider).toBe('twilio');
  });

  it('refuses provider twilio without its keys, naming them', () => {
    expect(() => createSmsSender({ ...base, provider: 'twilio' })).toThrow(
      /TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER/,
    );
  });
});
