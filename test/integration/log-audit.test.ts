// The log audit: a whole working session of the real app (REST orders that succeed, are declined, fall
// outside the zone or are not found, bad input, dashboard searches by name and phone, voice calls, a failed
// query, a client's secret in a query string) with every log line captured at trace level, then the captured
// output and every Redis key name of the app's own private Redis searched for the customers' names, phones
// (in any formatting), streets, search terms and secrets: none may be there.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Geocoder } from '../../src/adapters/geo/geocoder.js';
import { MockPaymentGateway } from '../../src/adapters/payment/mock-payment-gateway.js';
import { createLogger } from '../../src/logger.js';
import { freePort, type Running, startRedis, stop } from '../helpers/processes.js';
import { type TestApp, createSiblingApp, createTestApp, seedOrderBody } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';
import { toolCallMessage } from '../helpers/vapi-messages.js';

interface Customer {
  name: string;
  /** As the customer typed it; the audit looks for its last seven digits in any formatting. */
  phone: string;
  street: string;
}

/** Names, phones and streets found nowhere else in the code base, so any hit is a leak. */
const PAID: Customer = {
  name: 'Zephyrine Okonkwo-Blavatsky',
  phone: '(646) 555-0173',
  street: 'Wisteria Hollow Lane',
};
const DECLINED: Customer = {
  name: 'Bartholomew Quenneville',
  phone: '646.555.0288',
  street: 'Marigold Tern Court',
};
const FAR_AWAY: Customer = {
  name: 'Ottoline Thistlewood',
  phone: '+1 646 555 0311',
  street: 'Larkspur Gable Road',
};
const NOT_FOUND: Customer = { name: 'Ignatius Fairweather', phone: '6465550422', street: 'Nowhere' };
const INVALID: Customer = {
  name: 'Philippa Drummondsworth',
  phone: '646 555 0533',
  street: 'Hawthorne Brambling Way',
};
const CALLER: Customer = {
  name: 'Leocadia Wrenfield',
  phone: '+19175550164',
  street: 'Cormorant Spindle Street',
};
/** Whose order the database fails to write. */
const UNWRITTEN: Customer = {
  name: 'Cassiopeia Marchbanks',
  phone: '718-555-0199',
  street: 'Juniper Lantern Alley',
};
const CUSTOMERS = [PAID, DECLINED, FAR_AWAY, NOT_FOUND, INVALID, CALLER, UNWRITTEN];

/** What the dashboard user typed into the search box. */
const SEARCHES = ['Okonkwo', 'zephyrine', '555-0173', '6465550173', 'Wisteria', 'Leocadia', 'Quenneville'];
/** Secrets a careless client put in a query string. */
const QUERY_SECRETS = ['tok_ClientSecretInQuery7xq', 'key_AnotherQuerySecret9zr'];

/** Words that must never appear in a log line or a Redis key (case-insensitive). */
const WORDS = [
  ...CUSTOMERS.flatMap((c) => [...c.name.split(/[\s-]+/), c.street]),
  ...SEARCHES.filter((s) => /[a-z]/i.test(s)),
  ...QUERY_SECRETS,
].filter((word) => word.length >= 5);

/** The last seven digits of each phone, with anything but letters and digits allowed between them. */
const PHONE_PATTERNS = CUSTOMERS.map((c) => {
  const digits = c.phone.replace(/\D/g, '').slice(-7);
  return { phone: c.phone, pattern: new RegExp(digits.split('').join('[^0-9a-z]{0,3}'), 'i') };
});

/** The leaks in `text`, searched as written and with its %XX escapes decoded (URLs are logged encoded). */
function leaksIn(text: string): string[] {
  const decoded = text.replace(/(?:%[0-9a-f]{2})+/gi, (escaped) => {
    try {
      return decodeURIComponent(escaped);
    } catch {
      return escaped;
    }
  });
  const haystacks = [text.toLowerCase(), decoded.toLowerCase(), decoded.replace(/\+/g, ' ').toLowerCase()];
  const found = new Set<string>();
  for (const word of WORDS) if (haystacks.some((h) => h.includes(word.toLowerCase()))) found.add(word);
  for (const { phone, pattern } of PHONE_PATTERNS)
    if (haystacks.some((h) => pattern.test(h))) found.add(`phone ${phone}`);
  return [...found];
}

/** The lines around each leak, so a failure shows where it came from. */
function linesWithLeaks(lines: string[]): string[] {
  return lines.filter((line) => leaksIn(line).length > 0).map((line) => line.slice(0, 600));
}

class CapturedLog extends Writable {
  readonly chunks: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk.toString('utf8'));
    done();
  }
  lines(): string[] {
    return this.chunks
      .join('')
      .split('\n')
      .filter((l) => l.trim() !== '');
  }
}

/** Every address is found, far from the restaurant (Los Angeles): each delivery is outside the zone. */
const farGeocoder: Geocoder = {
  provider: 'mock',
  geocode: (query) =>
    Promise.resolve({
      lat: 34.0522,
      lng: -118.2437,
      formattedAddress: `${query.address}, Los Angeles, CA 90012`,
      postalCode: '90012',
    }),
};

describe.each(availableBackends())('log audit on %s', (backend) => {
  const log = new CapturedLog();
  let redisServer: Running;
  let redisUrl: string;
  let t: TestApp;
  /** A second API process on the same database, Redis and log: its cards are declined, its addresses far. */
  let unlucky: TestApp;

  beforeAll(async () => {
    const port = await freePort();
    // A private Redis: every key in it is this app's, so SCAN sees them all and nothing else.
    redisServer = await startRedis(port);
    redisUrl = `redis://127.0.0.1:${port}`;
    const logger = createLogger({ level: 'trace', pretty: false, destination: log });
    t = await createTestApp(
      backend,
      {
        LOG_LEVEL: 'trace',
        REDIS_URL: redisUrl,
        RATE_LIMIT_PER_MINUTE: '1000',
        PHONE_ORDERS_PER_HOUR: '3',
        RESTAURANT_PHONE: '+12125550100',
        EXPORT_SWEEP_SECONDS: '0.5',
      },
      { logger, startWorker: true },
    );
    unlucky = await createSiblingApp(t, {
      logger,
      payment: new MockPaymentGateway({ failureRate: 1, latency: { minMs: 0, maxMs: 0 }, seed: 'audit' }),
      geocoder: farGeocoder,
    });
  });
  afterAll(async () => {
    await unlucky?.close();
    await t?.close();
    if (redisServer) await stop(redisServer, 'SIGKILL');
  });

  const order = (app: TestApp, customer: Customer, overrides: Record<string, unknown> = {}) =>
    app.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { 'idempotency-key': `audit-${randomUUID()}` },
      payload: seedOrderBody({
        customer_name: customer.name,
        customer_phone: customer.phone,
        delivery_address: `17 ${customer.street}`,
        ...overrides,
      }),
    });
  const get = (url: string) => t.app.inject({ method: 'GET', url });
  const say = async (callId: string, name: string, args: unknown) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhook/simulation',
      payload: toolCallMessage(name, args, { callId, caller: CALLER.phone }),
    });
    expect(res.statusCode).toBe(200);
    return res.json<{ results: Array<{ result?: string }> }>().results[0]?.result ?? '';
  };

  it('leaves no name, phone, street, search term or secret in the logs or in Redis key names', async () => {
    // REST orders: one paid, then the same phone in other spellings until its hourly limit refuses it.
    expect((await order(t, PAID)).statusCode).toBe(201);
    expect((await order(t, PAID, { customer_phone: '646-555-0173' })).statusCode).toBe(201);
    expect((await order(t, PAID, { customer_phone: '+1 646 555 0173' })).statusCode).toBe(201);
    expect((await order(t, PAID, { customer_phone: '6465550173' })).statusCode).toBe(429);
    expect((await order(unlucky, DECLINED, { fulfillment: 'pickup' })).statusCode).toBe(402);
    expect((await order(unlucky, FAR_AWAY)).statusCode).toBe(422);
    expect((await order(t, NOT_FOUND, { delivery_address: '42' })).statusCode).toBe(422);
    expect((await order(t, INVALID, { zip_code: 'ABCDE' })).statusCode).toBe(422);
    expect((await order(t, INVALID, { customer_phone: `${INVALID.phone} ext. none` })).statusCode).toBe(422);

    // The dashboard: searches by name, phone and street, a page with a secret in its query string.
    for (const q of SEARCHES)
      expect((await get(`/api/orders?q=${encodeURIComponent(q)}`)).statusCode).toBe(200);
    expect((await get(`/api/orders?q=Thistlewood&access_token=${QUERY_SECRETS[0]}&page=1`)).statusCode).toBe(
      200,
    );
    expect((await get(`/health?api_key=${QUERY_SECRETS[1]}`)).statusCode).toBe(200);
    expect((await get(`/api/customers?name=${encodeURIComponent(PAID.name)}`)).statusCode).toBe(404);
    // Searches the database would refuse (a NUL byte): whatever the answer, what was searched stays unlogged.
    await get(`/api/orders?q=${encodeURIComponent('Okonkwo\u0000')}`);
    await get(`/api/orders?q=${encodeURIComponent(`${DECLINED.phone}\u0000`)}`);
    // Failed queries: with a column gone, a search and an order fail in the database with the customers'
    // data among the parameters, each a 500 logged with its error.
    const renameColumn = (from: string, to: string) =>
      t.container.db.orm.execute(sql.raw(`ALTER TABLE orders RENAME COLUMN ${from} TO ${to}`));
    await renameColumn('customer_name', 'customer_name_gone');
    try {
      expect((await get(`/api/orders?q=${encodeURIComponent(PAID.name)}`)).statusCode).toBe(500);
      expect((await get(`/api/orders?q=${encodeURIComponent(PAID.phone)}`)).statusCode).toBe(500);
      expect((await order(t, UNWRITTEN)).statusCode).toBe(500);
    } finally {
      await renameColumn('customer_name_gone', 'customer_name');
    }

    // A voice call: the cart, the order under the caller's number, its status, the call's end.
    const callId = `audit-${randomUUID()}`;
    const assistant = await t.app.inject({
      method: 'POST',
      url: '/webhook/simulation',
      payload: {
        message: {
          type: 'assistant-request',
          timestamp: Date.now(),
          call: { id: callId, type: 'inboundPhoneCall', customer: { number: CALLER.phone } },
          customer: { number: CALLER.phone },
        },
      },
    });
    expect(assistant.statusCode).toBe(200);
    expect(await say(callId, 'add_item', { item: 'pizza-margherita', quantity: 2 })).toMatch(/^Added 2/);
    expect(await say(callId, 'add_item', { item: 'Coke', quantity: 1 })).toMatch(/^Added 1/);
    const placed = await say(callId, 'place_order', {
      customer_name: CALLER.name,
      fulfillment: 'delivery',
      delivery_address: `240 ${CALLER.street}`,
      city: 'New York',
      zip_code: '10001',
    });
    expect(placed).toMatch(/^Your order is confirmed: number \d+/);
    expect(await say(callId, 'check_order_status', {})).toMatch(/is confirmed/);
    // A second call from a number the limit has seen, placing an order for a name that cannot be found.
    expect(
      await say(`audit-${randomUUID()}`, 'place_order', {
        customer_name: CALLER.name,
        fulfillment: 'delivery',
        delivery_address: '42',
        city: 'New York',
        zip_code: '10001',
        items: [{ name: 'Coke', quantity: 1 }],
      }),
    ).not.toBe('');
    const report = await t.app.inject({
      method: 'POST',
      url: '/webhook/simulation',
      payload: {
        message: {
          type: 'end-of-call-report',
          timestamp: Date.now(),
          call: { id: callId, type: 'inboundPhoneCall', customer: { number: CALLER.phone } },
          customer: { number: CALLER.phone },
          endedReason: 'customer-ended-call',
          artifact: { transcript: `User: This is ${CALLER.name} at 240 ${CALLER.street}.`, messages: [] },
          analysis: { summary: `${CALLER.name} ordered two margheritas.` },
        },
      },
    });
    expect(report.statusCode).toBe(200);
    // The export worker writes the day's workbook (and logs it) before the audit reads the log.
    await expect.poll(() => t.container.exportsRepository.backlogCount(), { timeout: 30_000 }).toBe(0);

    const lines = log.lines();
    // The capture is real: one line per request, failures included, each naming its route.
    const requests = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(25);
    for (const status of [200, 201, 402, 404, 422, 429, 500])
      expect(requests.map((r) => r.status)).toContain(status);
    // The failed queries were logged, their errors still saying what failed.
    const failures = lines.filter((l) => l.includes('"unhandled error"'));
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(
      failures.filter((l) => /Failed query: .*column \\"customer_name\\" does not exist/.test(l)),
    ).not.toEqual([]);

    expect.soft(linesWithLeaks(lines), 'log lines holding customer data or secrets').toEqual([]);

    const redis = new Redis(redisUrl);
    try {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      // The per-phone limit and the per-IP limit did count here.
      expect(keys.some((k) => k.includes(':phone:'))).toBe(true);
      expect
        .soft(
          keys.filter((k) => leaksIn(k).length > 0),
          'Redis keys holding customer data',
        )
        .toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
