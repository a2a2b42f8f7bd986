// The behaviour every SmsSender must show, whatever provider is behind it. Run by sms-sender.test.ts against
// the mock and against Twilio's adapter pointed at a local fake.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmsMessage, SmsSender } from '../../src/adapters/sms/sms-sender.js';

export interface SenderUnderTest {
  sender: SmsSender;
  /** Messages the provider actually delivered (each at most once per send, replays excluded). */
  delivered(): Array<{ to: string; body: string }>;
  close(): Promise<void>;
}

export function smsMessage(overrides: Partial<SmsMessage> = {}): SmsMessage {
  return {
    to: '+12125550123',
    body: `AI Pizza Palace: pay for order 12 ($45.14) here: https://pay.example/${randomUUID()}`,
    idempotencyKey: `contract-sms-${randomUUID()}`,
    ...overrides,
  };
}

export function smsSenderContract(name: string, make: () => Promise<SenderUnderTest>): void {
  describe(`SmsSender contract: ${name}`, () => {
    let subject: SenderUnderTest;
    beforeAll(async () => {
      subject = await make();
    });
    afterAll(async () => {
      await subject.close();
    });

    it('delivers the message to the number as written and answers with a message id', async () => {
      const message = smsMessage();
      const receipt = await subject.sender.send(message);
      expect(receipt.messageId).toMatch(/^SM\w{10,}$/);
      expect(subject.delivered()).toContainEqual({ to: message.to, body: message.body });
    });

    it('texts once per idempotency key: a repeat or a concurrent duplicate gets the first message id', async () => {
      const message = smsMessage();
      const before = subject.delivered().length;
      const [a, b] = await Promise.all([subject.sender.send(message), subject.sender.send({ ...message })]);
      const c = await subject.sender.send({ ...message });
      expect(b).toEqual(a);
      expect(c).toEqual(a);
      expect(subject.delivered().length - before).toBe(1);
    });

    it('gives different keys different messages', async () => {
      const a = await subject.sender.send(smsMessage());
      const b = await subject.sender.send(smsMessage());
      expect(a.messageId).not.toBe(b.messageId);
    });
  });
}
