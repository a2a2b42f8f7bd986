// PAYMENT_LINKS=off: nothing texts callers, so no SMS provider is configured. The voice tools never ask for a
// link then; anything that still tries to send gets an outage (the order waits, as when Twilio is down),
// never a silent "sent".
import { UnavailableError } from '../../errors.js';
import type { SmsReceipt, SmsSender } from './sms-sender.js';

export class NoSmsSender implements SmsSender {
  readonly provider = 'none' as const;

  send(): Promise<SmsReceipt> {
    return Promise.reject(
      new UnavailableError('sms_off', 'Texting is off (PAYMENT_LINKS=off): no SMS provider is configured.'),
    );
  }
}
