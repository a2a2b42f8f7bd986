// "Sold out today" on the real app and database: the owner's switch (PATCH /api/menu/items/{id}, behind the
// dashboard token), what the menu and orders then say, a second API process, and a restart.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createContainer } from '../../src/container.js';
import { connectPostgres } from '../../src/db/client.js';
import { menuItems, orders } from '../../src/db/schema/index.js';
import { PROJECT_ROOT } from '../../src/shared/paths.js';
import { type TestApp, createSiblingApp, createTestApp, seedOrderBody } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';

const TOKEN = 'menu-owner-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

interface MenuItemBody {
  id: string;
  name: string;
  sold_out: boolean;
}

describe.each(availableBackends())('sold out today on %s', (backend) => {
  let t: TestApp;
  let sibling: TestApp | undefined;
  let restarted: TestApp | undefined;
  let menuDir: string;
  let phone = 100;
  beforeAll(async () => {
    // Staging: the token is required, as in production.
    t = await createTestApp(backend, {
      ENV_MODE: 'staging',
      DASHBOARD_TOKEN: TOKEN,
      STRIPE_SECRET_KEY: 'sk_test_x',
      GOOGLE_MAPS_API_KEY: 'key',
      VAPI_WEBHOOK_SECRET: 'vapi-sold-out-secret-0123456789',
      PAYMENT_PROVIDER: 'mock',
      GEO_PROVIDER: 'mock',
      SMS_PROVIDER: 'mock',
    });
    menuDir = await fs.mkdtemp(path.join(os.tmpdir(), 'menu-sold-out-'));
  });
  afterAll(async () => {
    await restarted?.close();
    await sibling?.close();
    await t?.close();
    await fs.rm(menuDir, { recursive: true, force: true });
  });

  const patch = (app: TestApp, id: string, payload: unknown, headers: Record<string, string> = auth) =>
    app.app.inject({
      method: 'PATCH',
      url: `/api/menu/items/${id}`,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
  const menuItem = async (app: TestApp, id: string): Promise<MenuItemBody | undefined> =>
    (await app.app.inject({ method: 'GET', url: '/api/menu' }))
      .json<{ items: MenuItemBody[] }>()
      .items.find((i) => i.id === id);
  const orderVeggie = (app: TestApp, url = '/api/orders') =>
    app.app.inject({
      method: 'POST',
      url,
      payload: seedOrderBody({
        customer_phone: `212-555-0${phone++}`,
        items: [
          { name: 'Coke', quantity: 1 },
          { name: 'Veggie Pizza', quantity: 1, options: ['Large'] },
        ],
      }),
    });
  const storedOrders = async () => {
    const [row] = await t.container.db.orm.select({ n: sql<number>`count(*)::int` }).from(orders);
    return row?.n ?? 0;
  };

  it('needs the dashboard token to change the menu, and leaves it unchanged without it', async () => {
    const res = await patch(t, 'veggie-pizza', { sold_out: true }, {});
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('unauthorized');
    const wrong = await patch(t, 'veggie-pizza', { sold_out: true }, { authorization: 'Bearer nope' });
    expect(wrong.statusCode).toBe(401);
    expect((await menuItem(t, 'veggie-pizza'))?.sold_out).toBe(false);
  });

  it('marks an item sold out, shows it on the menu, and refuses orders for it', async () => {
    const res = await patch(t, 'veggie-pizza', { sold_out: true });
    expect(res.statusCode).toBe(200);
    const item = res.json<MenuItemBody>();
    expect(item).toMatchObject({ id: 'veggie-pizza', name: 'Veggie Pizza', sold_out: true });
    expect(await menuItem(t, 'veggie-pizza')).toEqual(item);
    expect((await menuItem(t, 'pizza-margherita'))?.sold_out).toBe(false);

    const before = await storedOrders();
    const order = await orderVeggie(t);
    expect(order.statusCode).toBe(422);
    expect(order.json()).toMatchObject({
      error: 'sold_out',
      message: 'Sorry, Veggie Pizza is sold out today.',
      details: [
        { code: 'sold_out', field: 'items[1].name', message: 'Sorry, Veggie Pizza is sold out today.' },
      ],
    });
    expect(await storedOrders()).toBe(before);
    const quote = await orderVeggie(t, '/api/orders/quote');
    expect(quote.statusCode).toBe(422);
    expect(quote.json().error).toBe('sold_out');
  });

  it('writes the flag for every process: a second one sees it after refresh()', async () => {
    sibling = await createSiblingApp(t);
    expect((await menuItem(sibling, 'veggie-pizza'))?.sold_out).toBe(true);
    expect((await patch(t, 'tiramisu', { sold_out: true })).statusCode).toBe(200);
    await sibling.container.menuAvailability.refresh();
    expect((await menuItem(sibling, 'tiramisu'))?.sold_out).toBe(true);
    expect((await patch(t, 'tiramisu', { sold_out: false })).statusCode).toBe(200);
    await sibling.container.menuAvailability.refresh();
    expect((await menuItem(sibling, 'tiramisu'))?.sold_out).toBe(false);
    expect((await orderVeggie(sibling)).json().error).toBe('sold_out');
  });

  it('answers 404 naming an unknown id, and changes nothing', async () => {
    const res = await patch(t, 'lasagna', { sold_out: true });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'menu_item_not_found', message: 'There is no menu item "lasagna".' });
  });

  it.each([
    ['no sold_out', {}, 'sold_out is required'],
    ['a string', { sold_out: 'yes' }, 'sold_out must be boolean'],
    ['null, which must not mean "back on sale"', { sold_out: null }, 'sold_out must be boolean'],
    ['an unknown field', { sold_out: false, name: 'x' }, 'name is not a field of this request'],
  ])('refuses a body with %s (422), leaving the flag as it was', async (_name, body, message) => {
    const res = await patch(t, 'veggie-pizza', body);
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toBe('validation_failed');
    expect(res.json().details.map((d: { message: string }) => d.message)).toContain(message);
    expect((await menuItem(t, 'veggie-pizza'))?.sold_out).toBe(true);
  });

  it('declares the route in the OpenAPI document', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const op = spec.paths['/api/menu/items/{id}']?.patch;
    expect(op).toMatchObject({ tags: ['menu'], summary: expect.any(String) });
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '401', '404', '422', '503']));
    const body = op.requestBody.content['application/json'].schema;
    expect(body).toMatchObject({ required: ['sold_out'], additionalProperties: false });
  });

  it("keeps the owner's flag through a restart whose menu file does not flag it", async () => {
    // The file says veggie-pizza is on sale and cannoli sold out; the owner said the opposite for veggie.
    const file = JSON.parse(
      await fs.readFile(path.join(PROJECT_ROOT, 'menu', 'default-menu.json'), 'utf8'),
    ) as { items: Array<{ id: string; sold_out?: boolean }> };
    for (const item of file.items) {
      if (item.id === 'veggie-pizza') item.sold_out = false;
      if (item.id === 'cannoli') item.sold_out = true;
    }
    const menuFile = path.join(menuDir, 'menu.json');
    await fs.writeFile(menuFile, JSON.stringify(file));

    const url = t.config.database.url;
    const config = { ...t.config, restaurant: { ...t.config.restaurant, menuFile } };
    const database = url
      ? connectPostgres({ url, poolMax: 4 }, () => undefined)
      : { ...t.container.db, close: () => Promise.resolve() };
    const container = await createContainer(config, { payment: t.container.payment, database });
    const app = await buildApp(container);
    await app.ready();
    restarted = {
      app,
      container,
      config,
      close: async () => {
        await app.close();
        await container.close();
      },
    };
    expect((await menuItem(restarted, 'veggie-pizza'))?.sold_out).toBe(true);
    expect((await menuItem(restarted, 'cannoli'))?.sold_out).toBe(true);
    expect((await menuItem(restarted, 'tiramisu'))?.sold_out).toBe(false);
    const [row] = await t.container.db.orm
      .select({ soldOut: menuItems.soldOut })
      .from(menuItems)
      .where(eq(menuItems.id, 'veggie-pizza'));
    expect(row?.soldOut).toBe(true);
  });

  it('puts the item back on sale: orders for it work again', async () => {
    const res = await patch(t, 'veggie-pizza', { sold_out: false });
    expect(res.statusCode).toBe(200);
    expect(res.json().sold_out).toBe(false);
    expect((await menuItem(t, 'veggie-pizza'))?.sold_out).toBe(false);
    const before = await storedOrders();
    const order = await orderVeggie(t);
    expect(order.statusCode, order.body).toBe(201);
    expect(await storedOrders()).toBe(before + 1);
    await sibling?.container.menuAvailability.refresh();
    if (sibling) expect((await orderVeggie(sibling)).statusCode).toBe(201);
  });
});
