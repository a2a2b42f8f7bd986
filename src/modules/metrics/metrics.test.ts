// The metrics on their own, with fake sources: label values, scrape-time reads that fail or hang, one
// backlog query per scrape, and registries that never collide.
import pino from 'pino';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { ExportQueueCounts } from '../../adapters/queue/export-queue.js';
import { UnavailableError } from '../../errors.js';
import type { BacklogAge } from '../exports/exports.repository.js';
import { OrderEvents } from '../orders/order-events.js';
import type { OrderView } from '../orders/orders.schemas.js';
import { SCRAPE_READ_TIMEOUT_MS } from './export-gauges.js';
import { Metrics, UNMATCHED_ROUTE } from './metrics.js';

const silent = pino({ level: 'silent' });

/** A sample; histograms name theirs (`_bucket`, `_sum`, `_count`), which the types leave out. */
type Value = MetricValue<string> & { metricName?: string };

async function values(metrics: Metrics, name: string): Promise<Value[]> {
  const all: Array<MetricObjectWithValues<Value>> = await metrics.registry.getMetricsAsJSON();
  const metric = all.find((m) => m.name === name);
  if (!metric) throw new Error(`no metric ${name}`);
  return metric.values;
}

async function valueOf(metrics: Metrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const matching = (await values(metrics, name)).filter((v) =>
    Object.entries(labels).every(([key, value]) => String(v.labels[key]) === value),
  );
  if (matching.length !== 1)
    throw new Error(`${matching.length} samples of ${name} ${JSON.stringify(labels)}`);
  return matching[0]!.value;
}

interface FakeSources {
  counts: () => Promise<ExportQueueCounts>;
  backlogAge: () => Promise<BacklogAge>;
}

function watched(sources: Partial<FakeSources> = {}) {
  const metrics = new Metrics(silent);
  const events = new OrderEvents((error) => {
    throw error;
  });
  let backlogReads = 0;
  metrics.watch({
    events,
    queue: { counts: sources.counts ?? (async () => ({ waiting: 3, active: 1, delayed: 2, failed: 4 })) },
    exports: {
      backlogAge: () => {
        backlogReads += 1;
        return sources.backlogAge
          ? sources.backlogAge()
          : Promise.resolve({ orders: 2, oldestSeconds: 12.5 });
      },
    },
  });
  return { metrics, events, backlogReads: () => backlogReads };
}

describe('Metrics', () => {
  it('counts requests by route pattern, with unmatched for no route', async () => {
    const metrics = new Metrics(silent);
    metrics.observeRequest('GET', '/api/orders/:id', 200, 12);
    metrics.observeRequest('GET', '/api/orders/:id', 200, 30);
    metrics.observeRequest('GET', '/api/orders/:id', 404, 1);
    metrics.observeRequest('GET', undefined, 404, 1);
    const ok = { method: 'GET', route: '/api/orders/:id', status: '200' };
    expect(await valueOf(metrics, 'http_requests_total', ok)).toBe(2);
    expect(await valueOf(metrics, 'http_requests_total', { ...ok, status: '404' })).toBe(1);
    expect(await valueOf(metrics, 'http_requests_total', { route: UNMATCHED_ROUTE })).toBe(1);
    const durations = await values(metrics, 'http_request_duration_seconds');
    const count = durations.find(
      (v) => v.metricName === 'http_request_duration_seconds_count' && v.labels.status === '200',
    );
    const sum = durations.find(
      (v) => v.metricName === 'http_request_duration_seconds_sum' && v.labels.status === '200',
    );
    expect(count?.value).toBe(2);
    expect(sum?.value).toBeCloseTo(0.042, 6);
  });

  it('times provider calls under the port provider name', async () => {
    const metrics = new Metrics(silent);
    const port = metrics.instrument({
      provider: 'google' as const,
      geocode: async () => {
        throw new UnavailableError('geo_timeout', 'slow');
      },
    });
    await expect(port.geocode()).rejects.toThrow('slow');
    const counts = (await values(metrics, 'provider_request_duration_seconds')).filter(
      (v) => v.metricName === 'provider_request_duration_seconds_count',
    );
    expect(counts.map((v) => ({ ...v.labels, n: v.value }))).toEqual([
      { provider: 'google', operation: 'geocode', outcome: 'timeout', n: 1 },
    ]);
  });

  it('counts order outcomes from the order events', async () => {
    const { metrics, events } = watched();
    const order = (fields: Partial<OrderView>) => ({ id: 1, source: 'api', ...fields }) as OrderView;
    events.emit({
      type: 'order.created',
      order: order({ status: 'confirmed', payment_status: 'succeeded' }),
    });
    events.emit({ type: 'order.created', order: order({ status: 'confirmed', source: 'voice' }) });
    events.emit({
      type: 'order.created',
      order: order({ status: 'failed', payment_status: 'declined', failure_code: 'card_declined' }),
    });
    events.emit({ type: 'order.exported', ids: [1] });
    expect(await valueOf(metrics, 'orders_total', { source: 'api', outcome: 'confirmed' })).toBe(1);
    expect(await valueOf(metrics, 'orders_total', { source: 'voice', outcome: 'confirmed' })).toBe(1);
    expect(
      await valueOf(metrics, 'orders_total', {
        source: 'api',
        outcome: 'failed',
        reason: 'payment_declined',
      }),
    ).toBe(1);
    expect(await values(metrics, 'orders_total')).toHaveLength(3);
  });

  it('reads the queue and the backlog at scrape time, one backlog query for both gauges', async () => {
    const { metrics, backlogReads } = watched();
    const text = await metrics.exposition();
    expect(text).toContain('export_queue_depth{state="waiting"} 3');
    expect(text).toContain('export_queue_depth{state="failed"} 4');
    expect(text).toContain('export_backlog_orders 2');
    expect(text).toContain('export_lag_seconds 12.5');
    expect(backlogReads()).toBe(1);
    await metrics.exposition();
    expect(backlogReads()).toBe(2);
  });

  it('reports NaN, and still answers, when a source fails', async () => {
    const { metrics } = watched({
      counts: () => Promise.reject(new Error('Redis is down')),
      backlogAge: () => Promise.reject(new Error('database is down')),
    });
    const text = await metrics.exposition();
    // prom-client writes NaN as `Nan`; Prometheus parses floats ignoring case.
    expect(text).toMatch(/^export_queue_depth\{state="active"\} nan$/im);
    expect(text).toMatch(/^export_backlog_orders nan$/im);
    expect(text).toMatch(/^export_lag_seconds nan$/im);
  });

  it('does not wait for a source that hangs longer than the read timeout', async () => {
    const { metrics } = watched({
      counts: () => new Promise(() => undefined),
      backlogAge: () => new Promise(() => undefined),
    });
    const started = performance.now();
    const text = await metrics.exposition();
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThanOrEqual(SCRAPE_READ_TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(SCRAPE_READ_TIMEOUT_MS + 1_500);
    expect(text).toMatch(/^export_lag_seconds nan$/im);
  });

  it('keeps each container registry apart, with the process metrics in every exposition', async () => {
    const a = new Metrics(silent);
    const b = new Metrics(silent);
    a.observeRequest('GET', '/health', 200, 1);
    expect(await valueOf(a, 'http_requests_total', { route: '/health' })).toBe(1);
    expect(await values(b, 'http_requests_total')).toEqual([]);
    for (const text of [await a.exposition(), await b.exposition()]) {
      expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
      expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
      expect(text).toContain('# TYPE http_requests_total counter');
    }
  });
});
