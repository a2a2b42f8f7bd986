// The one place that picks the SMS provider: mock or Twilio, from config alone (never from NODE_ENV).
import type { Logger } from 'pino';
import { MockSmsSender } from './mock-sms-sender.js';
import type { SmsSender } from './sms-sender.js';
import { TwilioSmsSender } from './twilio-sms-sender.js';

export interface SmsConfig {
  provider: 'mock' | 'twilio';
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
