// The SMS port: the order service texts a caller (a payment link) through this and never knows which provider
// is behind it.

export interface SmsMessage {
  /** The recipient, E.164 (+12125550123). */
  to: string;
  body: string;
  /**
   * One message per key: a repeated send with the same key returns the first message instead of texting the
   * caller again (providers without an idempotency API dedupe in-process).
   */
  idempotencyKey: string;
}

export interface SmsReceipt {
  /** The provider's message id (Twilio `SM...`). */
  messageId: string;
}

export interface SmsSender {
  readonly provider: 'mock' | 'twilio' | 'none';
  /**
   * Sends one text message. Throws ValidationError when the provider refuses the message itself (an invalid
   * number), UnavailableError on a timeout, an outage or an answer it cannot read.
   */
  send(message: SmsMessage): Promise<SmsReceipt>;
}
