// The database's ceiling: the order write the service makes (claim the idempotency key, then the single
// statement that writes the order and its items against the claim) issued straight through the driver,
// with the service's repositories and pool size, at the same concurrency, with no HTTP, validation,
// pricing or mocks in between. The service's throughput divided by this is the share of what the
// database allows that the service achieves.
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config.js';
import { type Database, connectPostgres, openPglite } from '../../src/db/client.js';
import { loadMenuFile } from '../../src/modules/menu/menu.loader.js';
import { IdempotencyRepository } from '../../src/modules/orders/idempotency.repository.js';
import { prepareOrder } from '../../src/modules/orders/order-preparation.js';
import { SEED_EXAMPLE_ORDER } from '../../src/modules/orders/orders.schemas.js';
import { type OrderDraft, OrdersRepository } from '../../src/modules/orders/orders.repository.js';
import { restaurantFromConfig } from '../../src/modules/orders/restaurant.js';
import { percentiles, type Percentiles } from './stats.js';

export interface CeilingResult {
  orders: number;
  concurrency: number;
  ordersPerSecond: number;
  latencyMs: Percentiles;
}

/** The load generator's order, priced by the real menu: the same rows the service writes. */
async function benchDraft(): Promise<OrderDraft> {
  const config = loadConfig({});
  const restaurant = restaurantFromConfig(config, await loadMenuFile(config.restaurant.menuFile));
  const { request, lines, totals } = prepareOrder(restaurant, {
    customerName: 'Bench Caller',
    customerPhone: '555-100-0000',
    fulfillment: 'delivery',
    deliveryAddress: SEED_EXAMPLE_ORDER.delivery_address,
    city: SEED_EXAMPLE_ORDER.city,
    zipCode: SEED_EXAMPLE_ORDER.zip_code,
    items: SEED_EXAMPLE_ORDER.items,
    notes: null,
    paymentMethodId: null,
  });
  return {
    status: 'confirmed',
    source: 'api',
    fulfillment: request.fulfillment,
    customerName: request.customerName,
    customerPhone: request.customerPhone,
    deliveryAddress: request.deliveryAddress,
    city: request.city,
    zipCode: request.zipCode,
    formattedAddress: '350 5th Ave, New York, NY 10118, USA',
    latitude: 40.7484,
    longitude: -73.9857,
    distanceKm: 0.8,
    subtotalCents: totals.subtotalCents,
    taxCents: totals.taxCents,
    deliveryFeeCents: totals.deliveryFeeCents,
    totalCents: totals.totalCents,
    paymentStatus: 'succeeded',
    paymentProvider: 'mock',
    paymentId: 'pay_ceiling',
    failureCode: null,
    failureReason: null,
    notes: null,
    vapiCallId: null,
    lines,
  };
}

/** Opens the benchmark's database: its PostgreSQL URL, or the embedded data directory (service stopped). */
export function openBenchDatabase(databaseUrl: string | null, pgliteDir: string): Promise<Database> {
  if (databaseUrl) {
    const poolMax = loadConfig({}).database.poolMax;
    return Promise.resolve(connectPostgres({ url: databaseUrl, poolMax }, () => undefined));
  }
  return openPglite(pgliteDir);
}

export async function measureCeiling(
  db: Database,
  orders: number,
  concurrency: number,
): Promise<CeilingResult> {
  const draft = await benchDraft();
  const claims = new IdempotencyRepository(db);
  const repository = new OrdersRepository(db, 'America/New_York');
  const run = randomUUID().slice(0, 8);
  const latencies: number[] = [];
  let next = 0;
  const lane = async () => {
    while (next < orders) {
      const key = `ceiling-${run}-${next++}`;
      const started = process.hrtime.bigint();
      if (!(await claims.claim(key, 'order', '-'))) throw new Error(`key ${key} was already claimed`);
      if (!(await repository.insert(draft, key))) throw new Error(`order for ${key} was not written`);
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, lane));
  const wallMs = Date.now() - started;
  return {
    orders,
    concurrency,
    ordersPerSecond: Math.round((orders / wallMs) * 1000),
    latencyMs: percentiles(latencies),
  };
}
