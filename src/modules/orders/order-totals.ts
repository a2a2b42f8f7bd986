import { type Cents, applyRate, cents } from '../../shared/money.js';
import type { PricedLine } from '../menu/menu.pricing.js';
import type { Fulfillment } from './orders.repository.js';

export interface OrderTotals {
  subtotalCents: Cents;
  taxCents: Cents;
  deliveryFeeCents: Cents;
  totalCents: Cents;
}

export interface PricingRules {
  taxRatePpm: number;
  deliveryFeeCents: Cents;
}

/** tax = round_half_up(subtotal x rate) on the food only; pickup orders pay no delivery fee. */
export function computeTotals(
  lines: readonly PricedLine[],
  fulfillment: Fulfillment,
  rules: PricingRules,
): OrderTotals {
  let subtotal = 0;
  for (const line of lines) subtotal += line.lineTotalCents;
  const subtotalCents = cents(subtotal);
  const taxCents = applyRate(subtotalCents, rules.taxRatePpm);
  const deliveryFeeCents = fulfillment === 'delivery' ? rules.deliveryFeeCents : cents(0);
  return {
    subtotalCents,
    taxCents,
    deliveryFeeCents,
    totalCents: cents(subtotalCents + taxCents + deliveryFeeCents),
  };
}
