// The one place that picks the SMS provider: mock, Twilio or none, from config alone (never from NODE_ENV).
import type { Logger } from 'pino';
import { MockSmsSender } from './mock-sms-sender.js';
import { NoSmsSender } from './no-sms-sender.js';
import type { SmsSender } from './sms-sender.js';
import { TwilioSmsSender } from './twilio-sms-sender.js';

export interface SmsConfig {
  /** `none`: payment links are off (PAYMENT_LINKS=off), the only feature that texts. */
  provider: 'mock' | 'twilio' | 'none';
  twilio: {
    accountSid?: string;
    authToken?: string;
    fromNumber?: string;
    apiUrl?: string;
    timeoutMs: number;
  };
}

export function createSmsSender(config: SmsConfig, logger: Logger | null = null): SmsSender {
  switch (config.provider) {
    case 'mock':
      return new MockSmsSender(logger);
    case 'none':
      return new NoSmsSender();
    case 'twilio': {
      const { accountSid, authToken, fromNumber, apiUrl, timeoutMs } = config.twilio;
      if (!accountSid || !authToken || !fromNumber) {
        throw new Error(
          'TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER are required when the SMS provider is twilio',
        );
      }
      return new TwilioSmsSender({
        accountSid,
        authToken,
        fromNumber,
        timeoutMs,
        ...(apiUrl ? { apiUrl } : {}),
      });
    }
  }
}
