// DESIGN invariant 5: bad input gets a 4xx `{ error, message, details? }` naming the field, never a 500 and
// never a half-written row. Unusual but valid text (SQL-looking, unicode) is stored and returned verbatim.
import { count, eq } from 'drizzle-orm';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKeys, orderItems, orders } from '../../src/db/schema/index.js';
import { type TestApp, createTestApp, seedOrderBody } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';

interface ErrorBody {
  error: string;
  message: string;
  details?: Array<{ field?: string; message: string; suggestions?: string[] }>;
}

interface BadCase {
  name: string;
  /** A JSON value, or a raw string sent as-is. */
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  status: number;
  error: string;
  /** Must appear as a details[].field, or in the message when there are no details. */
  field: string;
  check?: (body: ErrorBody) => void;
}

const seedItems = seedOrderBody().items;
const without = (key: string) => {
  const body: Record<string, unknown> = seedOrderBody();
  delete body[key];
  return body;
};
const withQuantity = (quantity: unknown) =>
  seedOrderBody({ items: [{ name: 'Pizza Margherita', quantity, unit_price: 14.99 }] });
const withItem = (item: Record<string, unknown>) => seedOrderBody({ items: [{ quantity: 1, ...item }] });
const JSON_HEADERS = { 'content-type': 'application/json' };

const badCases: BadCase[] = [
  {
    name: 'malformed JSON',
    raw: '{"customer_name": "John Doe", "items": [',
    status: 400,
    error: 'invalid_json',
    field: 'JSON',
  },
  { name: 'an empty body', raw: '', status: 400, error: 'invalid_json', field: 'empty' },
  {
    name: 'a JSON array body',
    raw: JSON.stringify([seedOrderBody()]),
    status: 422,
    error: 'validation_failed',
    field: 'body',
  },
  {
    name: 'no customer_name',
    body: without('customer_name'),
    status: 422,
    error: 'validation_failed',
    field: 'customer_name',
  },
  {
    name: 'no customer_phone',
    body: without('customer_phone'),
    status: 422,
    error: 'validation_failed',
    field: 'customer_phone',
  },
  { name: 'no items', body: without('items'), status: 422, error: 'validation_failed', field: 'items' },
  {
    name: 'quantity 0',
    body: withQuantity(0),
    status: 422,
    error: 'validation_failed',
    field: 'items[0].quantity',
  },
  {
    name: 'quantity -1',
    body: withQuantity(-1),
    status: 422,
    error: 'validation_failed',
    field: 'items[0].quantity',
  },
  {
    name: 'quantity 1.5',
    body: withQuantity(1.5),
    status: 422,
    error: 'validation_failed',
    field: 'items[0].quantity',
  },
  {
    name: 'quantity 1000000',
    body: withQuantity(1_000_000),
    status: 422,
    error: 'validation_failed',
    field: 'items[0].quantity',
  },
  {
    name: 'quantity "abc"',
    body: withQuantity('abc'),
    status: 422,
    error: 'validation_failed',
    field: 'items[0].quantity',
  },
  {
    name: 'an empty items list',
    body: seedOrderBody({ items: [] }),
    status: 422,
    error: 'validation_failed',
    field: 'items',
  },
  {
    name: '51 items',
    body: seedOrderBody({ items: Array.from({ length: 51 }, () => ({ name: 'Coke', quantity: 1 })) }),
    status: 422,
    error: 'validation_failed',
    field: 'items',
  },
  {
    name: 'an unknown item',
    body: withItem({ name: 'Sushi Platter' }),
    status: 422,
    error: 'unknown_item',
    field: 'items[0].name',
    check: (body) => {
      expect(body.message).toBe("We don't have 'Sushi Platter' on the menu.");
      // Nothing on the menu is close: no "did you mean" of unrelated names.
      expect(body.details?.[0]?.suggestions).toEqual([]);
    },
  },
  {
    name: 'a misspelt item',
    body: withItem({ name: 'Piza Margarita' }),
    status: 422,
    error: 'unknown_item',
    field: 'items[0].name',
    check: (body) => expect(body.details?.[0]?.suggestions).toContain('Pizza Margherita'),
  },
  {
    name: 'an unknown option on a pizza',
    body: withItem({ name: 'Pizza Margherita', options: ['Rainbow Sprinkles'] }),
    status: 422,
    error: 'unknown_option',
    field: 'items[0].options[0]',
    check: (body) => expect(body.message).toContain('Rainbow Sprinkles'),
  },
  {
    name: 'a tampered unit_price',
    body: seedOrderBody({
      items: [{ name: 'Pizza Margherita', quantity: 2, unit_price: 9.99 }, seedItems[1]],
    }),
    status: 422,
    error: 'price_mismatch',
    field: 'items[0].unit_price',
    check: (body) => {
      expect(body.message).toContain('$14.99');
      expect(body.message).toContain('$9.99');
    },
  },
  {
    name: 'a unit_price with 3 decimals',
    body: withItem({ name: 'Pizza Margherita', unit_price: 14.999 }),
    status: 422,
    error: 'price_mismatch',
    field: 'items[0].unit_price',
    check: (body) => expect(body.message).toContain('$14.99'),
  },
  {
    name: 'a customer_name of only spaces',
    body: seedOrderBody({ customer_name: '    ' }),
    status: 422,
    error: 'validation_failed',
    field: 'customer_name',
  },
  {
    name: 'a customer_name with a NUL character',
    body: seedOrderBody({ customer_name: 'John\u0000Doe' }),
    status: 422,
    error: 'validation_failed',
    field: 'customer_name',
  },
  {
    name: 'a customer_name with a newline',
    body: seedOrderBody({ customer_name: 'John\nDoe' }),
    status: 422,
    error: 'validation_failed',
    field: 'customer_name',
  },
  {
    name: 'a customer_name over 100 characters',
    body: seedOrderBody({ customer_name: 'J'.repeat(101) }),
    status: 422,
    error: 'validation_failed',
    field: 'customer_name',
  },
  {
    name: 'a phone "call me"',
    body: seedOrderBody({ customer_phone: 'call me' }),
    status: 422,
    error: 'validation_failed',
    field: 'customer_phone',
  },
  {
    name: 'a zip_code "ABCDE"',
    body: seedOrderBody({ zip_code: 'ABCDE' }),
    status: 422,
    error: 'validation_failed',
    field: 'zip_code',
  },
  {
    name: 'fulfillment "drone"',
    body: seedOrderBody({ fulfillment: 'drone' }),
    status: 422,
    error: 'validation_failed',
    field: 'fulfillment',
  },
  {
    name: 'a delivery without an address',
    body: without('delivery_address'),
    status: 422,
    error: 'address_required',
    field: 'delivery_address',
  },
  {
    name: 'a body over 64 KiB',
    body: seedOrderBody({ notes: 'n'.repeat(70_000) }),
    status: 413,
    error: 'body_too_large',
    field: 'body',
  },
  {
    name: 'a text/plain body',
    raw: JSON.stringify(seedOrderBody()),
    headers: { 'content-type': 'text/plain' },
    status: 415,
    error: 'unsupported_media_type',
    field: 'JSON',
  },
  {
    name: 'an Idempotency-Key with a space',
    body: seedOrderBody(),
    headers: { 'idempotency-key': 'my key' },
    status: 422,
    error: 'validation_failed',
    field: 'Idempotency-Key',
  },
  {
    name: 'an Idempotency-Key over 128 characters',
    body: seedOrderBody(),
    headers: { 'idempotency-key': 'k'.repeat(129) },
    status: 422,
    error: 'validation_failed',
    field: 'Idempotency-Key',
  },
];

const SQL_NAME = "Robert'); DROP TABLE orders;--";
const UNICODE_NAME = 'Zoë Ñúñez 山田 🍕';

describe.each(availableBackends())('bad order input on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(async () => t?.close());

  /** Every request in this file goes through here: whatever the input, the answer is never a 5xx. */
  async function request(options: InjectOptions): Promise<LightMyRequestResponse> {
    const res = await t.app.inject(options);
    expect(res.statusCode, `${options.method ?? 'GET'} ${options.url as string}: ${res.body}`).toBeLessThan(
      500,
    );
    return res;
  }

  /** Asserts the `{ error, message, details? }` shape, the status and code, and that `field` is named. */
  function expectError(res: LightMyRequestResponse, status: number, error: string, field: string): ErrorBody {
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json<ErrorBody>();
    expect(body.error).toBe(error);
    expect(typeof body.message).toBe('string');
    expect(body.message.length).toBeGreaterThan(0);
    const fields = (body.details ?? []).map((d) => d.field);
    if (fields.length > 0) expect(fields).toContain(field);
    else expect(body.message).toContain(field);
    return body;
  }

  async function countRows() {
    const orm = t.container.db.orm;
    const [o] = await orm.select({ n: count() }).from(orders);
    const [i] = await orm.select({ n: count() }).from(orderItems);
    const [k] = await orm.select({ n: count() }).from(idempotencyKeys);
    return { orders: Number(o?.n), orderItems: Number(i?.n), idempotencyKeys: Number(k?.n) };
  }

  it.each(badCases)('POST /api/orders refuses $name', async (c) => {
    const res = await request({
      method: 'POST',
      url: '/api/orders',
      headers: { ...(c.raw !== undefined ? JSON_HEADERS : {}), ...c.headers },
      ...(c.raw !== undefined ? { payload: c.raw } : { payload: c.body as object }),
    });
    const body = expectError(res, c.status, c.error, c.field);
    c.check?.(body);
  });

  it('stored nothing for any refused order', async () => {
    const res = await request({ method: 'GET', url: '/api/orders?page_size=100' });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ orders: unknown[]; total: number }>()).toMatchObject({ orders: [], total: 0 });
    expect(await countRows()).toEqual({ orders: 0, orderItems: 0, idempotencyKeys: 0 });
  });

  it.each([
    ['a SQL-looking name', SQL_NAME],
    ['a unicode name', UNICODE_NAME],
  ])('accepts %s and returns it verbatim', async (_label, name) => {
    const created = await request({
      method: 'POST',
      url: '/api/orders',
      payload: seedOrderBody({ customer_name: name }),
    });
    expect(created.statusCode, created.body).toBe(201);
    const order = created.json<{ id: number; customer_name: string; total: number }>();
    expect(order.customer_name).toBe(name);
    expect(order.total).toBe(45.14);

    const fetched = await request({ method: 'GET', url: `/api/orders/${order.id}` });
    expect(fetched.statusCode).toBe(200);
    expect(fetched.json<{ customer_name: string }>().customer_name).toBe(name);

    const [row] = await t.container.db.orm
      .select({ customerName: orders.customerName })
      .from(orders)
      .where(eq(orders.id, order.id));
    expect(row?.customerName).toBe(name);
  });

  it('still has its orders table, with exactly the two accepted orders', async () => {
    const counts = await countRows();
    expect(counts.orders).toBe(2);
    expect(counts.orderItems).toBe(4);
    const res = await request({ method: 'GET', url: '/api/orders?page_size=100' });
    const list = res.json<{ orders: Array<{ customer_name: string }>; total: number }>();
    expect(list.total).toBe(2);
    expect(list.orders.map((o) => o.customer_name).sort()).toEqual([SQL_NAME, UNICODE_NAME].sort());
  });

  it.each([
    { url: '/api/orders/abc', status: 422, error: 'validation_failed', field: 'id' },
    { url: '/api/orders/0', status: 422, error: 'validation_failed', field: 'id' },
    { url: '/api/orders/-5', status: 422, error: 'validation_failed', field: 'id' },
    { url: '/api/orders/999999', status: 404, error: 'order_not_found', field: '999999' },
    { url: '/api/orders?page_size=101', status: 422, error: 'validation_failed', field: 'page_size' },
    { url: '/api/orders?page=0', status: 422, error: 'validation_failed', field: 'page' },
    { url: '/api/orders?status=bogus', status: 422, error: 'validation_failed', field: 'status' },
    { url: '/api/orders?date=2026-13-45', status: 422, error: 'validation_failed', field: 'date' },
    { url: '/api/no-such-thing', status: 404, error: 'not_found', field: '/api/no-such-thing' },
  ])('GET $url -> $status $error', async ({ url, status, error, field }) => {
    const res = await request({ method: 'GET', url });
    expectError(res, status, error, field);
  });
});
