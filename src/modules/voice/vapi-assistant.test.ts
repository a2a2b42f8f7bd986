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
    webhookSecret: null,
    timeZone: ZONE,
    ...overrides,
  };
}

// What the tests read of the assistant, which is plain JSON for Vapi.
interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: string[];
  items?: Schema;
}
interface Tool {
  type: string;
  async?: boolean;
  function?: { name: string; description?: string; parameters: Schema };
  server?: Record<string, unknown>;
  messages?: { type: string }[];
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
const params = (assistant: Assistant, name: string): Schema =>
  functionTools(assistant).find((t) => t.function?.name === name)?.function?.parameters ?? {};
const prompt = (assistant: Assistant) => assistant.model.messages[0]?.content ?? '';

beforeAll(async () => {
  menuFile = await loadMenuFile(path.join(PROJECT_ROOT, 'menu', 'default-menu.json'));
  openMenu = menuService().view();
});

describe('buildAssistant', () => {
  it('declares the four function tools with their required parameters', () => {
    const assistant = build();
    expect(functionTools(assistant).map((t) => t.function?.name)).toEqual([...VOICE_TOOL_NAMES]);
    expect(params(assistant, 'get_menu').required).toBeUndefined();
    expect(params(assistant, 'get_menu').properties?.category?.enum).toEqual(menuFile.categories);
    expect(params(assistant, 'quote_order').required).toEqual(['fulfillment', 'items']);
    expect([...(params(assistant, 'place_order').required ?? [])].sort()).toEqual([
      'customer_name',
      'fulfillment',
      'items',
    ]);
    const place = params(assistant, 'place_order').properties ?? {};
    expect(Object.keys(place)).toEqual(
      expect.arrayContaining(['customer_phone', 'notes', 'additional_order', 'delivery_address', 'zip_code']),
    );
    expect(place.additional_order?.type).toBe('boolean');
    expect(params(assistant, 'check_order_status').properties?.order_id?.type).toBe('integer');
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

  it('limits item names to exactly the menu and options to every option name', () => {
    const assistant = build();
    const optionNames = new Set(
      menuFile.items.flatMap((i) => i.optionGroups.flatMap((g) => g.options.map((o) => o.name))),
    );
    for (const name of ['quote_order', 'place_order']) {
      const line = params(assistant, name).properties?.items?.items ?? {};
      expect(line.required).toEqual(['name', 'quantity']);
      expect(line.properties?.name?.enum).toEqual(menuFile.items.map((i) => i.name));
      expect(line.properties?.quantity).toMatchObject({ type: 'integer', minimum: 1, maximum: 20 });
      const optionEnum = line.properties?.options?.items?.enum ?? [];
      expect(new Set(optionEnum)).toEqual(optionNames);
      expect(optionEnum).toHaveLength(optionNames.size);
    }
  });

  it('points the assistant and every tool at <publicUrl>/webhook/vapi, with the secret only when configured', () => {
    const plain = build({ publicUrl: `${PUBLIC_URL}/` });
    expect(plain.server).toEqual({ url: WEBHOOK, timeoutSeconds: 20 });
    for (const t of functionTools(plain)) expect(t.server).toEqual({ url: WEBHOOK, timeoutSeconds: 20 });

    const secured = build({ webhookSecret: 'hunter2' });
    expect(secured.server.secret).toBe('hunter2');
    for (const t of functionTools(secured))
      expect(t.server).toMatchObject({ url: WEBHOOK, secret: 'hunter2' });
  });

  it('offers transferCall only when the restaurant has a phone number', () => {
    const without = build();
    expect(without.model.tools.some((t) => t.type === 'transferCall')).toBe(false);
    expect(prompt(without)).not.toContain('transferCall');

    const withPhone = build({ restaurantPhone: '+12125550100' });
    const transfer = withPhone.model.tools.find((t) => t.type === 'transferCall');
    expect(transfer?.destinations).toEqual([
      expect.objectContaining({ type: 'number', number: '+12125550100' }),
    ]);
    expect(prompt(withPhone)).toContain('transferCall');
  });

  it('writes the restaurant, menu prices, tax, delivery fee and the confirmation rule into the prompt', () => {
    const text = prompt(build());
    expect(text).toContain('AI Pizza Palace');
    expect(text).toContain('Pizza Margherita $14.99');
    expect(text).toContain('Chicken Wings $11.99');
    expect(text).toContain('Large +$4.00');
    expect(text).toContain('Small -$2.00');
    expect(text).toContain('8.875%');
    expect(text).toContain('$5.99');
    expect(text).toMatch(/only after an explicit yes, call place_order/i);
    expect(text).toContain('additional_order');
    expect(text).toMatch(/never ask for card numbers/i);
    // Every item is on it, and a shared option list is written once.
    for (const item of menuFile.items) expect(text).toContain(item.name);
    expect(text.split('Extra Cheese +$1.50').length - 1).toBe(1);
  });

  it('offers paying on delivery or by a texted link, and never asks for card numbers', () => {
    const assistant = build();
    const payment = params(assistant, 'place_order').properties?.payment;
    expect(payment).toMatchObject({ type: 'string', enum: ['on_delivery', 'text_link'] });
    const place = functionTools(assistant).find((t) => t.function?.name === 'place_order');
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
    expect(assistant.serverMessages).toEqual(expect.arrayContaining(['tool-calls', 'end-of-call-report']));
    expect(assistant.firstMessageMode).toBe('assistant-speaks-first');
    expect(assistant.model).toMatchObject({ provider: 'openai', model: 'gpt-4o', temperature: 0.3 });
    expect(assistant.analysisPlan.summaryPlan.enabled).toBe(true);
    expect(assistant.metadata).toEqual({ service: 'phone-orders' });
    const json = JSON.stringify(
      buildAssistant(context({ restaurantPhone: '+12125550100', webhookSecret: 'x' })),
    );
    expect(Buffer.byteLength(json)).toBeLessThan(30 * 1024);
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
  const script = (args: string[]) =>
    run(
      process.execPath,
      ['--import', 'tsx', 'scripts/vapi-assistant.ts', '--url', 'https://x.example', ...args],
      {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH ?? '', VAPI_WEBHOOK_SECRET: 's3cret' },
      },
    );

  it('prints the assistant as JSON with the secret replaced by a placeholder', async () => {
    const { stdout } = await script([]);
    const assistant = JSON.parse(stdout) as Assistant;
    expect(assistant.server).toEqual({
      url: 'https://x.example/webhook/vapi',
      timeoutSeconds: 20,
      secret: '<VAPI_WEBHOOK_SECRET>',
    });
    expect(stdout).not.toContain('s3cret');
  });

  it('prints the real secret only with --with-secret', async () => {
    const { stdout } = await script(['--with-secret']);
    expect((JSON.parse(stdout) as Assistant).server.secret).toBe('s3cret');
  });
});
