import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { cents } from '../../shared/money.js';
import { PROJECT_ROOT } from '../../shared/paths.js';
import { parseOpeningHours } from '../hours/opening-hours.js';
import { loadMenuFile } from '../menu/menu.loader.js';
import { MenuCatalog } from '../menu/menu.matcher.js';
import type { MenuView } from '../menu/menu.schemas.js';
import { MenuService } from '../menu/menu.service.js';
import type { Menu } from '../menu/menu.types.js';
import type { Restaurant } from '../orders/order-preparation.js';
import { type AssistantContext, buildAssistant } from './vapi-assistant.js';
import { VOICE_TOOL_NAMES } from './voice-tools.schema.js';

const run = promisify(execFile);
const PUBLIC_URL = 'https://orders.example.com';
const WEBHOOK = `${PUBLIC_URL}/webhook/vapi`;
const ZONE = 'America/New_York';

let menuFile: Menu;
let openMenu: MenuView;

function menuService(hoursSpec?: string): MenuService {
  const restaurant: Restaurant = {
    name: 'AI Pizza Palace',
    catalog: new MenuCatalog(menuFile),
    hours: parseOpeningHours(hoursSpec, ZONE),
    pricing: { taxRatePpm: 88_750, deliveryFeeCents: cents(599) },
    zone: { center: { lat: 40.7505, lng: -73.9934 }, radiusKm: 5 },
  };
  return new MenuService(restaurant, menuFile.categories);
}

function context(overrides: Partial<AssistantContext> = {}): AssistantContext {
  return {
    restaurantName: 'AI Pizza Palace',
    publicUrl: PUBLIC_URL,
    menu: openMenu,
    restaurantPhone: null,
    credentialId: null,
    webhookSecret: null,
    timeZone: ZONE,
    ...overrides,
  };
}

// What the tests read of the assistant, which is plain JSON for Vapi.
interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: string[];
  items?: Schema;
  pattern?: string;
}
interface Tool {
  type: string;
  async?: boolean;
  function?: { name: string; description?: string; parameters: Schema };
  server?: Record<string, unknown>;
  messages?: { type: string; content?: string }[];
  destinations?: Record<string, unknown>[];
}
interface Assistant {
  name: string;
  firstMessage: string;
  firstMessageMode: string;
  model: { messages: { role: string; content: string }[]; tools: Tool[] } & Record<string, unknown>;
  server: Record<string, unknown>;
  serverMessages: string[];
  analysisPlan: { summaryPlan: { enabled: boolean } };
  metadata: Record<string, unknown>;
}

const build = (overrides: Partial<AssistantContext> = {}) =>
  JSON.parse(JSON.stringify(buildAssistant(context(overrides)))) as Assistant;
const functionTools = (assistant: Assistant) => assistant.model.tools.filter((t) => t.type === 'function');
const tool = (assistant: Assistant, name: string): Tool | undefined =>
  functionTools(assistant).find((t) => t.function?.name === name);
const params = (assistant: Assistant, name: string): Schema =>
  tool(assistant, name)?.function?.parameters ?? {};
const prompt = (assistant: Assistant) => assistant.model.messages[0]?.content ?? '';
const spoken = (assistant: Assistant, name: string, type: string) =>
  tool(assistant, name)?.messages?.find((m) => m.type === type)?.content;

/** The menu with these items flagged sold out today, as MenuService shows them. */
const withSoldOut = (...ids: string[]): MenuView => ({
  ...openMenu,
  items: openMenu.items.map((i) => (ids.includes(i.id) ? { ...i, sold_out: true } : i)),
});

// Vapi's JsonSchema type (server SDK and API reference) documents exactly these keywords.
const VAPI_SCHEMA_KEYWORDS = new Set([
  'type',
  'items',
  'properties',
  'description',
  'pattern',
  'format',
  'required',
  'enum',
  'title',
]);

/** "path: keyword" for every keyword of `schema`, at any depth, that Vapi's JsonSchema does not document. */
function undocumentedKeywords(schema: unknown, path: string): string[] {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    return [`${path}: not a schema`];
  const found: string[] = [];
  for (const [keyword, value] of Object.entries(schema)) {
    if (!VAPI_SCHEMA_KEYWORDS.has(keyword)) found.push(`${path}: ${keyword}`);
    else if (keyword === 'items') found.push(...undocumentedKeywords(value, `${path}.items`));
    else if (keyword === 'properties') {
      for (const [name, property] of Object.entries(value as Record<string, unknown>)) {
        found.push(...undocumentedKeywords(property, `${path}.${name}`));
      }
    }
  }
  return found;
}

/** Every object key in `value`, at any depth. */
function keysDeep(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysDeep);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keysDeep(inner)]);
}

beforeAll(async () => {
  menuFile = await loadMenuFile(path.join(PROJECT_ROOT, 'menu', 'default-menu.json'));
  openMenu = menuService().view();
});

describe('buildAssistant', () => {
  it('declares the cart tools, then quoting, placing, cancelling and status, with their required parameters', () => {
    const assistant = build();
    expect(functionTools(assistant).map((t) => t.function?.name)).toEqual([
      'get_menu',
      'add_item',
      'remove_item',
      'list_order',
      'quote_order',
      'place_order',
      'cancel_order',
      'check_order_status',
    ]);
    expect([...VOICE_TOOL_NAMES]).toEqual(functionTools(assistant).map((t) => t.function?.name));

    const menu = params(assistant, 'get_menu');
    expect(menu.required).toBeUndefined();
    expect(menu.properties?.category?.enum).toEqual(menuFile.categories);
    expect(menu.properties?.item).toMatchObject({
      type: 'string',
      description: expect.stringContaining('veggie pizza'),
    });

    expect(params(assistant, 'add_item').required).toEqual(['item', 'quantity']);
    expect(params(assistant, 'add_item').properties?.quantity?.type).toBe('integer');
    expect(params(assistant, 'remove_item').required).toEqual(['item']);
    expect(params(assistant, 'remove_item').properties?.quantity?.type).toBe('integer');
    for (const name of ['list_order', 'cancel_order']) {
      expect(params(assistant, name)).toEqual({ type: 'object', properties: {} });
    }

    // The items now come from the cart; sending them stays possible for a second order and older assistants.
    expect(params(assistant, 'quote_order').required).toEqual(['fulfillment']);
    expect(params(assistant, 'quote_order').properties?.items?.type).toBe('array');
    expect([...(params(assistant, 'place_order').required ?? [])].sort()).toEqual([
      'customer_name',
      'fulfillment',
    ]);
    const place = params(assistant, 'place_order').properties ?? {};
    expect(Object.keys(place)).toEqual(
      expect.arrayContaining([
        'customer_phone',
        'notes',
        'additional_order',
        'delivery_address',
        'zip_code',
        'items',
      ]),
    );
    expect(place.additional_order?.type).toBe('boolean');
    expect(place.zip_code?.pattern).toBe('^[0-9]{5}(-[0-9]{4})?$');

    // Only this call's orders or the caller's own number: no phone to look up someone else's.
    expect(params(assistant, 'check_order_status').properties).toEqual({
      order_id: expect.objectContaining({ type: 'integer' }),
    });
    expect(tool(assistant, 'cancel_order')?.function?.description).toMatch(
      /change or cancel an order already placed in this call; confirm with the caller first/,
    );

    for (const t of functionTools(assistant)) {
      expect(t.async).toBe(false);
      expect(t.function?.parameters.type).toBe('object');
      expect(t.messages?.map((m) => m.type)).toEqual([
        'request-start',
        'request-response-delayed',
        'request-failed',
      ]);
    }
    expect(assistant.model.tools).toContainEqual({ type: 'endCall' });
  });

  it('lets add_item ask only for menu ids on sale today, and remove_item for any id', () => {
    const allIds = menuFile.items.map((i) => i.id);
    expect(params(build(), 'add_item').properties?.item?.enum).toEqual(allIds);

    const assistant = build({ menu: withSoldOut('tiramisu') });
    const addable = params(assistant, 'add_item').properties?.item?.enum ?? [];
    expect(addable).not.toContain('tiramisu');
    expect(addable).toEqual(allIds.filter((id) => id !== 'tiramisu'));
    // An item added before it sold out can still be taken off.
    expect(params(assistant, 'remove_item').properties?.item?.enum).toEqual(allIds);
  });

  it('limits options to every option name, and old-style order lines to the menu names', () => {
    const assistant = build();
    const optionNames = new Set(
      menuFile.items.flatMap((i) => i.optionGroups.flatMap((g) => g.options.map((o) => o.name))),
    );
    const addOptions = params(assistant, 'add_item').properties?.options?.items?.enum ?? [];
    expect(new Set(addOptions)).toEqual(optionNames);
    expect(addOptions).toHaveLength(optionNames.size);
    for (const name of ['quote_order', 'place_order']) {
      const line = params(assistant, name).properties?.items?.items ?? {};
      expect(line.required).toEqual(['name', 'quantity']);
      expect(line.properties?.name?.enum).toEqual(menuFile.items.map((i) => i.name));
      expect(line.properties?.quantity).toEqual({ type: 'integer' });
      expect(line.properties?.options?.items?.enum).toEqual(addOptions);
    }
  });

  it("uses only the JSON Schema keywords of Vapi's JsonSchema type in every tool's parameters", () => {
    // The walk itself finds a keyword at any depth, including inside an array's items.
    expect(
      undocumentedKeywords(
        { type: 'object', properties: { a: { type: 'array', items: { type: 'integer', minimum: 1 } } } },
        'probe',
      ),
    ).toEqual(['probe.a.items: minimum']);

    const assistant = build({ restaurantPhone: '+12125550100', menu: withSoldOut('coke') });
    const problems = functionTools(assistant).flatMap((t) =>
      undocumentedKeywords(t.function?.parameters, t.function?.name ?? '?'),
    );
    expect(problems).toEqual([]);
  });

  it('authenticates with the Vapi credential when one is set, else an X-Vapi-Secret header, else nothing', () => {
    const servers = (a: Assistant) => [a.server, ...functionTools(a).map((t) => t.server)];

    const plain = build({ publicUrl: `${PUBLIC_URL}/` });
    for (const server of servers(plain)) expect(server).toEqual({ url: WEBHOOK, timeoutSeconds: 20 });

    const headers = build({ webhookSecret: 'hunter2' });
    for (const server of servers(headers)) {
      expect(server).toEqual({ url: WEBHOOK, timeoutSeconds: 20, headers: { 'X-Vapi-Secret': 'hunter2' } });
    }

    const credential = build({ credentialId: 'cred_123', webhookSecret: 'hunter2' });
    for (const server of servers(credential)) {
      expect(server).toEqual({ url: WEBHOOK, timeoutSeconds: 20, credentialId: 'cred_123' });
    }
    expect(JSON.stringify(credential)).not.toContain('hunter2');

    // No inline secret field anywhere, whatever is configured.
    for (const assistant of [plain, headers, credential]) {
      const keys = keysDeep(assistant).map((k) => k.toLowerCase());
      expect(keys).not.toContain('secret');
      expect(keys).not.toContain('serverurlsecret');
      expect(JSON.stringify(assistant)).not.toMatch(/"(serverUrl)?secret"\s*:/i);
    }
  });

  it('offers a transfer (tool, prompt and failure sentence) only when the restaurant has a phone number', () => {
    const without = build();
    expect(without.model.tools.some((t) => t.type === 'transferCall')).toBe(false);
    expect(prompt(without)).not.toMatch(/transfer/i);
    for (const t of functionTools(without)) {
      expect(spoken(without, t.function?.name ?? '', 'request-failed')).toBe(
        "Sorry, I'm having trouble with our ordering system right now. Shall I try again?",
      );
    }

    const withPhone = build({ restaurantPhone: '+12125550100' });
    const transfer = withPhone.model.tools.find((t) => t.type === 'transferCall');
    expect(transfer?.destinations).toEqual([
      expect.objectContaining({
        type: 'number',
        number: '+12125550100',
        message: 'Connecting you to the restaurant now.',
      }),
    ]);
    expect(prompt(withPhone)).toContain('transfer the call with transferCall');
    for (const t of functionTools(withPhone)) {
      expect(spoken(withPhone, t.function?.name ?? '', 'request-failed')).toBe(
        "Sorry, I'm having trouble with our ordering system right now. I can try again, or connect you to the restaurant.",
      );
    }
  });

  it('says a short sentence as each tool starts, and another only when the answer is late', () => {
    const assistant = build();
    expect(spoken(assistant, 'add_item', 'request-start')).toBe('Adding that.');
    expect(spoken(assistant, 'remove_item', 'request-start')).toBe('Taking that off.');
    expect(spoken(assistant, 'place_order', 'request-start')).toBe('Placing your order now.');
    expect(spoken(assistant, 'cancel_order', 'request-start')).toBe('Cancelling that order.');
    for (const t of functionTools(assistant)) {
      const start = spoken(assistant, t.function?.name ?? '', 'request-start') ?? '';
      expect(start.split(' ').length, t.function?.name).toBeLessThanOrEqual(5);
      expect(t.messages).toContainEqual({
        type: 'request-response-delayed',
        content: 'Still working on it, thanks for your patience.',
        timingMilliseconds: 4000,
      });
    }
  });

  it('writes the restaurant, menu ids and prices, tax, delivery fee and the confirmation rule into the prompt', () => {
    const text = prompt(build());
    expect(text).toContain('AI Pizza Palace');
    expect(text).toContain('- Pizza Margherita [pizza-margherita] $14.99');
    expect(text).toContain('- Chicken Wings [chicken-wings] $11.99');
    expect(text).toContain('Large +$4.00');
    expect(text).toContain('Small -$2.00');
    expect(text).toContain('8.875%');
    expect(text).toContain('$5.99');
    expect(text).toMatch(/only after an explicit yes, call place_order once, without items/i);
    expect(text).toMatch(/never ask for card numbers/i);
    expect(text).not.toContain('sold out today');
    // Every item is on it with its id, and a shared option list is written once.
    for (const item of menuFile.items) expect(text).toContain(`${item.name} [${item.id}]`);
    expect(text.split('Extra Cheese +$1.50').length - 1).toBe(1);
  });

  it('takes the order item by item into the cart, and changes a placed order by cancelling it first', () => {
    const text = prompt(build());
    expect(text).toMatch(
      /As the caller names each item, call add_item with its \[id\], quantity and options/,
    );
    expect(text).toMatch(/On a change of mind call remove_item; to read the order back call list_order/);
    expect(text).toContain('Call quote_order without items and read back exactly what it says.');
    expect(text).toMatch(/If a tool result says something must be fixed .*, ask the caller exactly that/);
    expect(text).toMatch(
      /To change an order already placed in this call, confirm with the caller, call cancel_order, change the items/,
    );
    expect(text).toMatch(/Never set additional_order unless the caller asks for a second, separate order/);
    expect(text).toContain('For an existing order, call check_order_status.');
  });

  it('marks a sold-out item in the prompt without the id add_item would take', () => {
    const text = prompt(build({ menu: withSoldOut('tiramisu') }));
    expect(text).toContain('- Tiramisu: sold out today');
    expect(text).not.toContain('[tiramisu]');
    expect(text).toContain('- Cannoli [cannoli]');
  });

  it('offers paying on delivery or by a texted link, and never asks for card numbers', () => {
    const assistant = build();
    const payment = params(assistant, 'place_order').properties?.payment;
    expect(payment).toMatchObject({ type: 'string', enum: ['on_delivery', 'text_link'] });
    const place = tool(assistant, 'place_order');
    expect(place?.function?.description).toMatch(/payment link texted/);
    expect(place?.function?.description).toMatch(/nothing is ever charged by phone/);
    const text = prompt(assistant);
    expect(text).toMatch(/You can pay the driver, or I can text you a secure payment link\./);
    expect(text).toMatch(/payment text_link/);
    expect(text).toMatch(/never ask for card numbers or payment details, and never take them/i);
  });

  it('has Vapi limits and the settings the webhook relies on', () => {
    const assistant = build({ restaurantName: 'The Extraordinarily Long Name Pizza Restaurant & Bar' });
    expect(assistant.name.length).toBeLessThanOrEqual(40);
    expect(build().name).toBe('AI Pizza Palace phone orders');
    expect(assistant.serverMessages).toEqual(
      expect.arrayContaining(['tool-calls', 'end-of-call-report', 'hang']),
    );
    expect(assistant.firstMessageMode).toBe('assistant-speaks-first');
    expect(assistant.model).toMatchObject({ provider: 'openai', model: 'gpt-4o', temperature: 0.3 });
    expect(assistant.analysisPlan.summaryPlan.enabled).toBe(true);
    expect(assistant.metadata).toEqual({ service: 'phone-orders' });
    for (const t of functionTools(assistant)) expect(t.function?.name).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    const json = JSON.stringify(
      buildAssistant(context({ restaurantPhone: '+12125550100', webhookSecret: 'x' })),
    );
    expect(Buffer.byteLength(json)).toBeLessThan(30 * 1024);
    // Sent on every model turn: the whole prompt, menu included, stays small.
    expect(prompt(build({ restaurantPhone: '+12125550100' })).length).toBeLessThan(6000);
  });

  it('greets with delivery or pickup when open, and says when it opens when closed', () => {
    expect(build().firstMessage).toBe(
      'Thanks for calling AI Pizza Palace! Are you ordering for delivery or pickup?',
    );

    // Sunday 2026-03-01 09:00 in New York, before the 11:00 opening.
    const now = new Date('2026-03-01T14:00:00Z');
    const closed = menuService('daily 11:00-22:00').view(undefined, now);
    const assistant = build({ menu: closed, now });
    expect(assistant.firstMessage).toContain("We're closed right now and open again today at 11:00 AM.");
    expect(prompt(assistant)).toContain('Daily 11:00 AM–10:00 PM');
    expect(prompt(assistant)).toContain('No orders can be placed until then.');
  });
});

describe('npm run vapi:assistant', () => {
  const script = (args: string[], env: Record<string, string> = {}) =>
    run(
      process.execPath,
      ['--import', 'tsx', 'scripts/vapi-assistant.ts', '--url', 'https://x.example', ...args],
      {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH ?? '', VAPI_WEBHOOK_SECRET: 's3cret', ...env },
      },
    );

  it('prints the assistant as JSON with the secret header holding a placeholder', async () => {
    const { stdout } = await script([]);
    const assistant = JSON.parse(stdout) as Assistant;
    expect(assistant.server).toEqual({
      url: 'https://x.example/webhook/vapi',
      timeoutSeconds: 20,
      headers: { 'X-Vapi-Secret': '<VAPI_WEBHOOK_SECRET>' },
    });
    expect(stdout).not.toContain('s3cret');
  });

  it('prints the real secret only with --with-secret', async () => {
    const { stdout } = await script(['--with-secret']);
    expect((JSON.parse(stdout) as Assistant).server.headers).toEqual({ 'X-Vapi-Secret': 's3cret' });
  });

  it('names the Vapi credential and prints no secret at all when VAPI_CREDENTIAL_ID is set', async () => {
    const { stdout } = await script(['--with-secret'], { VAPI_CREDENTIAL_ID: 'cred_abc' });
    const assistant = JSON.parse(stdout) as Assistant;
    expect(assistant.server).toEqual({
      url: 'https://x.example/webhook/vapi',
      timeoutSeconds: 20,
      credentialId: 'cred_abc',
    });
    for (const t of functionTools(assistant)) expect(t.server?.credentialId).toBe('cred_abc');
    expect(stdout).not.toContain('s3cret');
    expect(stdout).not.toContain('X-Vapi-Secret');
  });
});
