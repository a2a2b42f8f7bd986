// The development SMS provider: nothing leaves the process. Messages are kept in memory (for the tests and a
// developer reading the log) and logged with the phone number masked; like the real adapter it sends once per
// idempotency key.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { maskPhone } from '../../logger.js';
import type { SmsMessage, SmsReceipt, SmsSender } from './sms-sender.js';

export interface SentSms extends SmsMessage {
  messageId: string;
  sentAt: Date;
}

/** Keys remembered (oldest forgotten first), so a long-running development server stays small. */
const MAX_REMEMBERED = 10_000;

export class MockSmsSender implements SmsSender {
  readonly provider = 'mock' as const;
  readonly #byKey = new Map<string, SentSms>();
  readonly #sent: SentSms[] = [];

  constructor(private readonly logger: Logger | null = null) {}

  send(message: SmsMessage): Promise<SmsReceipt> {
    const known = this.#byKey.get(message.idempotencyKey);
    if (known) return Promise.resolve({ messageId: known.messageId });
    const digest = createHash('sha256').update(message.idempotencyKey).digest('hex');
    const sent: SentSms = { ...message, messageId: `SMmock${digest.slice(0, 26)}`, sentAt: new Date() };
    this.#byKey.set(message.idempotencyKey, sent);
    this.#sent.push(sent);
    while (this.#byKey.size > MAX_REMEMBERED) {
      const oldest = this.#byKey.keys().next();
      if (oldest.done) break;
      this.#byKey.delete(oldest.value);
      this.#sent.shift();
    }
    // The body carries a payment link, not the number: only the number is masked.
    this.logger?.info(
      { to: maskPhone(message.to), messageId: sent.messageId, body: message.body },
      'sms (mock) sent',
    );
    return Promise.resolve({ messageId: sent.messageId });
  }

  /** Every message sent (replays excluded), oldest first. */
  sent(): readonly SentSms[] {
    return this.#sent;
  }

  /** The messages sent to one number. */
  sentTo(to: string): SentSms[] {
    return this.#sent.filter((m) => m.to === to);
  }
}
