// The run laid out before anything is sent: which orders go through which channel, what each carries, and
// which are re-sent (alongside the original or after its answer). Payloads come from the seeded generator;
// idempotency keys and Vapi ids from node:crypto, so replaying a seed never collides with an earlier run.
import { randomBytes } from 'node:crypto';
import type { MenuView } from '../../../src/modules/menu/menu.schemas.js';
import { SEED_EXAMPLE_ORDER } from '../../../src/modules/orders/orders.schemas.js';
import { type Basket, randomBasket } from './basket.js';
import { type Customer, randomAddress, randomCustomer, randomNote } from './customers.js';
import type { Channel, PlannedOrder, Resend, SimulationOptions } from './types.js';
import { newVoiceCall, toolCallsMessage, vapiHeaders } from './vapi.js';

type Random = () => number;

interface Draft {
  customer: Customer;
  delivery: boolean;
  address: ReturnType<typeof randomAddress> | null;
  basket: Basket;
  notes: string | undefined;
}

export function planOrders(
  options: Pick<SimulationOptions, 'orders' | 'channels' | 'duplicates' | 'vapiSecret'>,
  menu: MenuView,
  random: Random,
): PlannedOrder[] {
  const runId = randomBytes(6).toString('hex');
  const channels = assignChannels(options.orders, options.channels, random);
  const resends = assignResends(options.orders, options.duplicates, random);
  const phones = new Set<string>();
  return channels.map((channel, i) => {
    const draft = randomDraft(random, menu, phones);
    const base = { number: i + 1, expectedTotalCents: draft.basket.totalCents, resend: resends[i] ?? 'none' };
    return channel === 'direct'
      ? { ...base, ...directRequest(draft, `sim-${runId}-${i + 1}`) }
      : { ...base, ...voiceRequest(draft, random() < 0.5, options.vapiSecret) };
  });
}

/** A test order for the pre-flight check: the seed README's curl example. */
export function seedExampleBody(): Record<string, unknown> {
  return structuredClone(SEED_EXAMPLE_ORDER);
}

/** Exactly half each way for a mixed run (the extra one direct), in a shuffled order. */
function assignChannels(count: number, mode: SimulationOptions['channels'], random: Random): Channel[] {
  if (mode !== 'mixed') return Array.from({ length: count }, () => mode);
  const direct = Math.ceil(count / 2);
  return shuffle(
    Array.from({ length: count }, (_, i): Channel => (i < direct ? 'direct' : 'vapi')),
    random,
  );
}

/** round(share × count) orders re-sent, alternately alongside the original and after its answer. */
function assignResends(count: number, share: number, random: Random): Resend[] {
  const resends: Resend[] = Array.from({ length: count }, () => 'none');
  const chosen = shuffle(
    Array.from({ length: count }, (_, i) => i),
    random,
  ).slice(0, Math.round(share * count));
  chosen.forEach((index, n) => (resends[index] = n % 2 === 0 ? 'concurrent' : 'after'));
  return resends;
}

function randomDraft(random: Random, menu: MenuView, phones: Set<string>): Draft {
  const customer = randomCustomer(random, phones);
  const delivery = random() < 0.7;
  return {
    customer,
    delivery,
    address: delivery ? randomAddress(random) : null,
    basket: randomBasket(random, menu, delivery),
    notes: randomNote(random, delivery),
  };
}

/** POST /api/orders as an app or a website would send it: unit prices included, with its Idempotency-Key. */
function directRequest(draft: Draft, key: string) {
  const body = {
    customer_name: draft.customer.name,
    customer_phone: draft.customer.phone,
    fulfillment: draft.delivery ? 'delivery' : 'pickup',
    ...addressFields(draft),
    items: draft.basket.lines.map((l) => ({
      name: l.item.name,
      quantity: l.quantity,
      unit_price: l.unitPriceCents / 100,
      ...(l.options.length > 0 ? { options: l.options } : {}),
    })),
    ...(draft.notes ? { notes: draft.notes } : {}),
  };
  return {
    channel: 'direct' as const,
    key,
    fingerprint: directFingerprint(draft.customer.name, draft.customer.phone),
    callId: null,
    toolCallId: null,
    path: '/api/orders',
    headers: { 'idempotency-key': key },
    body: JSON.stringify(body),
  };
}

/** A caller's place_order tool call: no prices (the assistant never sends any), the caller's own number. */
function voiceRequest(draft: Draft, argumentsAsString: boolean, secret: string | null) {
  const call = newVoiceCall(draft.customer.e164);
  const args = {
    customer_name: draft.customer.name,
    fulfillment: draft.delivery ? 'delivery' : 'pickup',
    ...addressFields(draft),
    items: draft.basket.lines.map((l) => ({
      name: l.item.name,
      quantity: l.quantity,
      ...(l.options.length > 0 ? { options: l.options } : {}),
    })),
    ...(draft.notes ? { notes: draft.notes } : {}),
  };
  return {
    channel: 'vapi' as const,
    key: `${call.callId}/${call.toolCallId}`,
    fingerprint: call.callId,
    callId: call.callId,
    toolCallId: call.toolCallId,
    path: '/webhook/vapi',
    headers: vapiHeaders(secret),
    body: JSON.stringify(toolCallsMessage(call, 'place_order', args, argumentsAsString)),
  };
}

export const directFingerprint = (name: string, phone: string) => `${name}|${phone}`;

function addressFields(draft: Draft) {
  return draft.address
    ? { delivery_address: draft.address.street, city: draft.address.city, zip_code: draft.address.zip }
    : {};
}

function shuffle<T>(values: T[], random: Random): T[] {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [values[i], values[j]] = [values[j] as T, values[i] as T];
  }
  return values;
}
