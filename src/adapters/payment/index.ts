// The one place that picks the payment provider: mock or Stripe, from config alone (never from NODE_ENV).
import type { LatencyRange } from '../../shared/seeded-random.js';
import { MockPaymentGateway } from './mock-payment-gateway.js';
import type { PaymentGateway } from './payment-gateway.js';
import { StripePaymentGateway } from './stripe-payment-gateway.js';

export interface PaymentConfig {
  provider: 'mock' | 'stripe';
  mock: { failureRate: number; latency: LatencyRange; seed: string };
  stripe: { secretKey?: string; apiUrl?: string; timeoutMs: number };
  /** PUBLIC_URL: where payment pages send the customer back (and the mock's links point). */
  publicUrl: string;
}

export function createPaymentGateway(config: PaymentConfig): PaymentGateway {
  switch (config.provider) {
    case 'mock':
      return new MockPaymentGateway({ ...config.mock, publicUrl: config.publicUrl });
    case 'stripe': {
      const { secretKey, apiUrl, timeoutMs } = config.stripe;
      if (!secretKey) throw new Error('STRIPE_SECRET_KEY is required when the payment provider is stripe');
      return new StripePaymentGateway({
        secretKey,
        timeoutMs,
        publicUrl: config.publicUrl,
        ...(apiUrl ? { apiUrl } : {}),
      });
    }
  }
}

/** The original Python system's name for this factory (`get_payment_service()`), kept for readers porting from it. */
export const getPaymentService = createPaymentGateway;
