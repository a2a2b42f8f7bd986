// The transient Vapi assistant this server hands out (assistant-request answer, `npm run vapi:assistant`).
// The system prompt is sent on every model turn, so it stays plain and compact: option lists that several
// items share are written once, and descriptions are left to get_menu.
import { describeOpening, parseOpeningHours } from '../hours/opening-hours.js';
import type { MenuView } from '../menu/menu.schemas.js';
import { formatDollars } from '../../shared/money.js';
import { type ToolServer, vapiServer } from './vapi-tool.js';
import { buildVoiceTools } from './voice-tools.schema.js';

export interface AssistantContext {
  restaurantName: string;
  /** The server's public base URL (https in production), without the /webhook/vapi path. */
  publicUrl: string;
  menu: MenuView;
  restaurantPhone: string | null;
  /** VAPI_CREDENTIAL_ID: named instead of any secret when set. */
  credentialId: string | null;
  /** Sent as X-Vapi-Secret when there is no credential; null when none is configured. */
  webhookSecret: string | null;
  timeZone: string;
  /** PAYMENT_LINKS: offer a payment link texted to the caller (default true); off, never mention one. */
  paymentLinks?: boolean;
  /** The instant the call starts (defaults to now); only used to say "today" or "tomorrow". */
  now?: Date;
}

const MAX_NAME_LENGTH = 40;

export function buildAssistant(ctx: AssistantContext): Record<string, unknown> {
  const url = `${ctx.publicUrl.replace(/\/+$/, '')}/webhook/vapi`;
  const server: ToolServer = { url, credentialId: ctx.credentialId, webhookSecret: ctx.webhookSecret };
  const closedUntil = closedMessage(ctx);
  return {
    name: assistantName(ctx.restaurantName),
    firstMessage: closedUntil
      ? `Thanks for calling ${ctx.restaurantName}! ${closedUntil} I can still answer questions about our menu. How can I help?`
      : `Thanks for calling ${ctx.restaurantName}! Are you ordering for delivery or pickup?`,
    firstMessageMode: 'assistant-speaks-first',
    model: {
      provider: 'openai',
      model: 'gpt-4o',
      temperature: 0.3,
      maxTokens: 300,
      messages: [{ role: 'system', content: systemPrompt(ctx, closedUntil) }],
      tools: buildVoiceTools(ctx.menu, server, ctx.restaurantPhone, ctx.paymentLinks ?? true),
    },
    // Vapi's own voices need no third-party voice account.
    voice: { provider: 'vapi', voiceId: 'Elliot' },
    server: vapiServer(server),
    serverMessages: [
      'tool-calls',
      'status-update',
      'end-of-call-report',
      'transfer-destination-request',
      'hang',
    ],
    endCallMessage: `Thanks for calling ${ctx.restaurantName}. Goodbye!`,
    maxDurationSeconds: 900,
    analysisPlan: { summaryPlan: { enabled: true } },
    metadata: { service: 'phone-orders' },
  };
}

function assistantName(restaurantName: string): string {
  const full = `${restaurantName} phone orders`;
  return (full.length <= MAX_NAME_LENGTH ? full : restaurantName.slice(0, MAX_NAME_LENGTH)).trim();
}

/** "We're closed right now and open again tomorrow at 11:00 AM." or null while open. */
function closedMessage(ctx: AssistantContext): string | null {
  if (ctx.menu.open_now) return null;
  const next = ctx.menu.next_opening_at;
  if (next === null) return "We're closed right now.";
  // describeOpening reads only the zone of the hours it is given.
  const when = describeOpening(
    parseOpeningHours(undefined, ctx.timeZone),
    new Date(next),
    ctx.now ?? new Date(),
  );
  return `We're closed right now and open again ${when}.`;
}

function systemPrompt(ctx: AssistantContext, closedUntil: string | null): string {
  const { menu } = ctx;
  const canTransfer = ctx.restaurantPhone !== null;
  const links = ctx.paymentLinks ?? true;
  const status = closedUntil ? `${closedUntil} No orders can be placed until then.` : 'We are open.';
  const lines = [
    `You take phone orders for ${ctx.restaurantName}. Keep every answer short and natural: one question at a ` +
      'time, no lists read out unless asked, no markdown.',
    `Hours (${ctx.timeZone} time): ${menu.opening_hours}. At the start of this call: ${status}`,
    `Pricing: tax ${percent(menu.tax_rate)} on food. Delivery fee ${formatDollars(toCents(menu.delivery_fee))} ` +
      'for delivery orders only; pickup has no fee. Never ask for card numbers or payment details, and never ' +
      'take them if offered: the caller pays the driver on delivery (at the counter for pickup)' +
      (links ? ', or pays by a secure link we text to their phone.' : '. We do not send payment links.'),
    '',
    "MENU (USD; an item's price includes its default choices, option prices are added)",
    ...menuLines(menu),
    '',
    'TAKING AN ORDER',
    '1. Ask whether it is for delivery or pickup.',
    '2. As the caller names each item, call add_item with its [id], quantity and options; ask for a required ' +
      'choice first. On a change of mind call remove_item; to read the order back call list_order. Never ' +
      'invent items, options or prices: if we do not have something, say so and suggest the closest item.',
    '3. For delivery, get the street address, city and ZIP code. Get the name for the order.',
    '4. Call quote_order without items and read back exactly what it says.',
    links
      ? '5. Ask how they want to pay: "You can pay the driver, or I can text you a secure payment link." (for ' +
        'pickup: "pay at the counter"). Use payment text_link for the link, on_delivery otherwise.'
      : '5. Tell the caller they pay the driver on delivery (at the counter for pickup).',
    '6. Ask the caller to confirm. Only after an explicit yes, call place_order once, without items. Then give ' +
      "the order number and what the result says. The caller's phone number is used unless they give another.",
    'If a tool result says something must be fixed (a ZIP code to repeat, an item we do not have), ask the ' +
      'caller exactly that, then call the tool again.',
    'To change an order already placed in this call, confirm with the caller, call cancel_order, change the ' +
      'items with add_item/remove_item, then quote_order and place_order again.',
    'Never set additional_order unless the caller asks for a second, separate order; then quote_order and ' +
      'place_order it with its items and additional_order true.',
    'For an existing order, call check_order_status.',
    canTransfer
      ? 'If the caller asks for a person, or the order cannot be taken (a tool fails twice, or we are closed ' +
        'and they want to talk to someone), transfer the call with transferCall.'
      : 'If a tool fails twice, apologise and ask the caller to call back later.',
    'When the caller is done, say goodbye and end the call.',
  ];
  return lines.join('\n');
}

type Item = MenuView['items'][number];
type Group = Item['option_groups'][number];

/**
 * One line per item with the [id] add_item takes, grouped by category; a category whose items all take the
 * same options says so once. A sold-out item keeps a line, without id or options, so that the model says it is
 * sold out today rather than that we never sell it.
 */
function menuLines(menu: MenuView): string[] {
  const onSale = menu.items.filter((i) => !i.sold_out);
  const labels = sharedGroupLabels(onSale);
  const describeGroups = (item: Item) =>
    item.option_groups
      .map((g) => {
        const label = labels.get(groupKey(g));
        return label
          ? `${label} ${rule(g)}`
          : `${g.name} ${rule(g)}: ${g.options.map(optionText).join(', ')}`;
      })
      .join('; ');

  const out: string[] = [];
  const categories = [...new Set([...menu.categories, ...menu.items.map((i) => i.category)])];
  for (const category of categories) {
    const items = menu.items.filter((i) => i.category === category);
    if (items.length === 0) continue;
    const selling = items.filter((i) => !i.sold_out);
    const options = selling.map(describeGroups);
    const same = options.length > 0 && options.every((o) => o === options[0]) && options[0] !== '';
    out.push(same ? `${category} (each: ${options[0] ?? ''}):` : `${category}:`);
    selling.forEach((item, i) => {
      const own = same || options[i] === '' ? '' : ` (${options[i] ?? ''})`;
      out.push(`- ${item.name} [${item.id}] ${formatDollars(toCents(item.price))}${own}`);
    });
    for (const item of items) if (item.sold_out) out.push(`- ${item.name}: sold out today`);
  }
  const shared = [...labels.entries()];
  if (shared.length > 0) {
    out.push('OPTIONS');
    for (const [key, label] of shared) {
      const group = onSale.flatMap((i) => i.option_groups).find((g) => groupKey(g) === key);
      if (group) out.push(`${label}: ${group.options.map(optionText).join(', ')}`);
    }
  }
  return out;
}

/**
 * Labels for option lists used by more than one item. Lists that share a name but differ ("Size" of a pizza
 * and of a drink) are labelled with the category first using them: "Pizza Size", "Drinks Size".
 */
function sharedGroupLabels(items: Item[]): Map<string, string> {
  const uses = new Map<string, { group: Group; category: string; count: number }>();
  for (const item of items) {
    for (const group of item.option_groups) {
      const key = groupKey(group);
      const seen = uses.get(key);
      if (seen) seen.count++;
      else uses.set(key, { group, category: item.category, count: 1 });
    }
  }
  const shared = [...uses.entries()].filter(([, u]) => u.count > 1);
  const labels = new Map<string, string>();
  const taken = new Set<string>();
  for (const [key, { group, category }] of shared) {
    const clash = shared.some(([k, u]) => k !== key && u.group.name === group.name);
    let label = clash ? `${category} ${group.name}` : group.name;
    for (let n = 2; taken.has(label); n++) label = `${category} ${group.name} ${n}`;
    taken.add(label);
    labels.set(key, label);
  }
  return labels;
}

/** The option list itself (names and prices); how many may be chosen is said per item. */
function groupKey(group: Group): string {
  return JSON.stringify([group.name, group.options.map((o) => [o.name, o.price_delta])]);
}

function rule(group: Group): string {
  const { min_choices: min, max_choices: max } = group;
  if (min === 0) return max === 1 ? 'optional' : `optional, up to ${max}`;
  return min === max ? `required, pick ${min}` : `required, pick ${min}-${max}`;
}

function optionText(option: Group['options'][number]): string {
  const delta = toCents(option.price_delta);
  if (delta === 0) return option.name;
  return `${option.name} ${delta > 0 ? '+' : ''}${formatDollars(delta)}`;
}

/** MenuView carries dollars with at most two decimals; prices are formatted from whole cents. */
function toCents(dollars: number): number {
  return Math.round(dollars * 100);
}

/** 0.08875 -> "8.875%". */
function percent(rate: number): string {
  return `${Number((rate * 100).toFixed(4))}%`;
}
