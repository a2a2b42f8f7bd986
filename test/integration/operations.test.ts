// Operations through the real app: the liveness and readiness probes (also with the database gone and during
// a graceful shutdown over real sockets), the Prometheus exposition after real orders (route patterns,
// order outcomes, provider timings, the export lag before and after the worker), scrapes that survive a
// hanging queue, and /metrics behind the dashboard token outside development.
import net from 'node:net';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaymentGateway } from '../../src/adapters/payment/index.js';
import type { ChargeRequest, ChargeResult } from '../../src/adapters/payment/payment-gateway.js';
import { EmbeddedExportQueue } from '../../src/adapters/queue/embedded-export-queue.js';
import type { ExportQueue, ExportQueueCounts } from '../../src/adapters/queue/export-queue.js';
import { adminQuery } from '../global-setup.js';
import { CountingPaymentGateway } from '../helpers/counting-payment.js';
import { type Sample, parseExposition, samplesOf, valueOf } from '../helpers/prometheus.js';
import { type TestApp, createTestApp, seedOrderBody, testConfig } from '../helpers/test-app.js';
import { type Backend, availableBackends } from '../helpers/test-database.js';

const DECLINED_NAME = 'Dee Clined';

/** The mock provider, declining every card of DECLINED_NAME, and holding charges while a gate is shut. */
class ScriptedPayment extends CountingPaymentGateway {
  /** Charges asked for, declined and held ones included. */
  charges = 0;
  private gate: { opened: Promise<void>; open: () => void; entered: () => void } | null = null;

  constructor() {
    super(createPaymentGateway(testConfig().payment));
  }

  /** Holds every charge until the returned `open` is called; `entered` resolves when one is held. */
  shut(): { entered: Promise<void>; open: () => void } {
    let open!: () => void;
    let entered!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const enteredPromise = new Promise<void>((resolve) => (entered = resolve));
    this.gate = { opened, open, entered };
    return { entered: enteredPromise, open };
  }

  override async charge(request: ChargeRequest): Promise<ChargeResult> {
    this.charges += 1;
    if (this.gate) {
      this.gate.entered();
      await this.gate.opened;
    }
    if (request.customerName === DECLINED_NAME) {
      return {
        outcome: 'declined',
        paymentId: null,
        code: 'card_declined',
        reason: 'Your card was declined.',
      };
    }
    return super.charge(request);
  }
}

async function scrape(t: TestApp, headers: Record<string, string> = {}): Promise<Sample[]> {
  const res = await t.app.inject({ method: 'GET', url: '/metrics', headers });
  expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
  expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(res.body);
}

const histogramCount = (samples: Sample[], name: string, labels: Record<string, string>) =>
  valueOf(samples, `${name}_count`, labels);

const backend: Backend = availableBackends()[0] ?? 'pglite';

describe(`probes and metrics on ${backend}`, () => {
  let t: TestApp;
  const payment = new ScriptedPayment();
  beforeAll(async () => {
    t = await createTestApp(backend, { EXPORT_SWEEP_SECONDS: '0.2' }, { payment });
  });
  afterAll(async () => t?.close());

  it('GET /health/live is 200 without looking at anything', async () => {
    const res = await t.app.inject('/health/live');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('GET /health/ready is 200 with both checks passing', async () => {
    const res = await t.app.inject('/health/ready');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ok',
      failed: [],
      checks: { database: { kind: backend, ok: true, error: null }, shutdown: { ok: true, error: null } },
    });
    expect(res.json().checks.database.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it('exposes process, request, order, provider and export metrics with the values of what happened', async () => {
    const placed = await t.app.inject({ method: 'POST', url: '/api/orders', payload: seedOrderBody() });
    expect(placed.statusCode).toBe(201);
    const orderId: number = placed.json().id;
    const declined = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      payload: seedOrderBody({ customer_name: DECLINED_NAME }),
    });
    expect(declined.statusCode).toBe(402);
    expect((await t.app.inject(`/api/orders/${orderId}`)).statusCode).toBe(200);
    expect((await t.app.inject('/api/orders/999999')).statusCode).toBe(404);
    expect((await t.app.inject('/no/such/page/42')).statusCode).toBe(404);
    expect((await t.app.inject('/api/menu?category=drinks')).statusCode).toBe(200);

    const samples = await scrape(t);
    expect(samplesOf(samples, 'process_cpu_user_seconds_total')).toHaveLength(1);
    expect(samplesOf(samples, 'nodejs_heap_size_used_bytes')).toHaveLength(1);

    const requests = (labels: Record<string, string>) => valueOf(samples, 'http_requests_total', labels);
    expect(requests({ method: 'POST', route: '/api/orders', status: '201' })).toBe(1);
    expect(requests({ method: 'POST', route: '/api/orders', status: '402' })).toBe(1);
    expect(requests({ method: 'GET', route: '/api/orders/:id', status: '200' })).toBe(1);
    expect(requests({ method: 'GET', route: '/api/orders/:id', status: '404' })).toBe(1);
    expect(requests({ method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(requests({ method: 'GET', route: '/api/menu', status: '200' })).toBe(1);
    const routes = new Set(samplesOf(samples, 'http_requests_total').map((s) => s.labels.route));
    // Patterns only: no order id, no unknown path ever becomes a label value.
    expect([...routes].filter((r) => r === undefined || /\d/.test(r) || r.includes('no/such'))).toEqual([]);
    expect(
      histogramCount(samples, 'http_request_duration_seconds', {
        method: 'POST',
        route: '/api/orders',
        status: '201',
      }),
    ).toBe(1);
    const buckets = samplesOf(samples, 'http_request_duration_seconds_bucket', {
      method: 'POST',
      route: '/api/orders',
      status: '201',
    });
    expect(buckets.find((b) => b.labels.le === '+Inf')?.value).toBe(1);

    expect(valueOf(samples, 'orders_total', { source: 'api', outcome: 'confirmed' })).toBe(1);
    expect(
      valueOf(samples, 'orders_total', { source: 'api', outcome: 'failed', reason: 'payment_declined' }),
    ).toBe(1);
    expect(samplesOf(samples, 'orders_total')).toHaveLength(2);

    const provider = (labels: Record<string, string>) =>
      histogramCount(samples, 'provider_request_duration_seconds', { provider: 'mock', ...labels });
    expect(provider({ operation: 'charge', outcome: 'ok' })).toBe(1);
    expect(provider({ operation: 'charge', outcome: 'declined' })).toBe(1);
    expect(provider({ operation: 'geocode', outcome: 'ok' })).toBe(2);
    expect(payment.charges).toBe(2);

    for (const state of ['waiting', 'active', 'delayed', 'failed']) {
      expect(Number.isFinite(valueOf(samples, 'export_queue_depth', { state })), state).toBe(true);
    }
    // No worker runs yet: the confirmed order waits, and its wait is measured.
    expect(valueOf(samples, 'export_backlog_orders')).toBe(1);
    expect(valueOf(samples, 'export_lag_seconds')).toBeGreaterThan(0);
    expect(valueOf(samples, 'export_lag_seconds')).toBeLessThan(60);
  });

  it('reports the export lag back to 0 once the export worker has run', async () => {
    const placed = await t.app.inject({ method: 'POST', url: '/api/orders', payload: seedOrderBody() });
    expect(placed.statusCode).toBe(201);
    const before = await scrape(t);
    expect(valueOf(before, 'export_backlog_orders')).toBeGreaterThan(0);
    expect(valueOf(before, 'export_lag_seconds')).toBeGreaterThan(0);
    t.container.exportWorker.start();
    await expect
      .poll(async () => valueOf(await scrape(t), 'export_backlog_orders'), { timeout: 20_000 })
      .toBe(0);
    const samples = await scrape(t);
    expect(valueOf(samples, 'export_lag_seconds')).toBe(0);
    expect(valueOf(samples, 'export_queue_depth', { state: 'failed' })).toBe(0);
  });

  it('counts a cancellation once, and its refund as a provider call', async () => {
    const confirmedBefore =
      samplesOf(await scrape(t), 'orders_total', { outcome: 'confirmed' })[0]?.value ?? 0;
    const placed = await t.app.inject({ method: 'POST', url: '/api/orders', payload: seedOrderBody() });
    expect(placed.statusCode).toBe(201);
    const url = `/api/orders/${placed.json().id}/cancel`;
    expect((await t.app.inject({ method: 'POST', url })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url })).statusCode).toBe(200); // a repeat changes nothing
    const samples = await scrape(t);
    expect(valueOf(samples, 'orders_total', { source: 'api', outcome: 'confirmed' })).toBe(
      confirmedBefore + 1,
    );
    expect(valueOf(samples, 'orders_total', { source: 'api', outcome: 'cancelled' })).toBe(1);
    expect(
      histogramCount(samples, 'provider_request_duration_seconds', {
        provider: 'mock',
        operation: 'refund',
        outcome: 'ok',
      }),
    ).toBe(1);
    expect(
      valueOf(samples, 'http_requests_total', {
        method: 'POST',
        route: '/api/orders/:id/cancel',
        status: '200',
      }),
    ).toBe(2);
  });

  it('declares the probes and /metrics in the OpenAPI document', async () => {
    const spec = (await t.app.inject('/openapi.json')).json();
    const schemaOf = (path: string, status: string) =>
      spec.paths[path]?.get?.responses?.[status]?.content?.['application/json']?.schema;
    expect(schemaOf('/health/live', '200')).toMatchObject({ properties: { status: { enum: ['ok'] } } });
    expect(schemaOf('/health/ready', '200')?.properties).toHaveProperty('checks');
    expect(schemaOf('/health/ready', '503')?.properties).toHaveProperty('failed');
    expect(schemaOf('/metrics', '200')).toMatchObject({ type: 'string' });
    expect(schemaOf('/metrics', '401')).toBeDefined();
  });
});

describe.each(availableBackends())('readiness without a database on %s', (backendName) => {
  it('is 503 naming the database once the pool is closed, while liveness and scrapes still answer', async () => {
    const t = await createTestApp(backendName);
    try {
      const db = t.container.db;
      await db.close();
      // Already closed: the cleanup below must not close it a second time.
      db.close = () => Promise.resolve();

      const ready = await t.app.inject('/health/ready');
      expect(ready.statusCode).toBe(503);
      const body = ready.json();
      expect(body.status).toBe('unavailable');
      expect(body.failed).toEqual(['database']);
      expect(body.checks.database.ok).toBe(false);
      expect(body.checks.database.error).toEqual(expect.any(String));
      expect(body.checks.shutdown).toEqual({ ok: true, error: null });

      expect((await t.app.inject('/health/live')).statusCode).toBe(200);
      const samples = await scrape(t);
      expect(valueOf(samples, 'export_backlog_orders')).toBeNaN();
      expect(valueOf(samples, 'export_lag_seconds')).toBeNaN();
      expect(valueOf(samples, 'export_queue_depth', { state: 'waiting' })).toBe(0);
    } finally {
      await t.close();
    }
  });
});

describe.runIf(availableBackends().includes('postgres'))('readiness through a PostgreSQL outage', () => {
  it('turns 503 while the database refuses connections, and 200 again once it accepts them', async () => {
    const t = await createTestApp('postgres');
    const adminUrl = inject('postgresTemplate')?.adminUrl as string;
    const name = new URL(t.config.database.url as string).pathname.slice(1);
    expect(name).toMatch(/^phone_orders_t_[0-9a-f]+$/);
    try {
      expect((await t.app.inject('/health/ready')).statusCode).toBe(200);
      await adminQuery(adminUrl, `ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await adminQuery(
        adminUrl,
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`,
      );
      const down = await t.app.inject('/health/ready');
      expect(down.statusCode).toBe(503);
      expect(down.json().failed).toEqual(['database']);
      expect(down.json().checks.database.error).toMatch(/not currently accepting connections|terminat/);

      await adminQuery(adminUrl, `ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await expect
        .poll(async () => (await t.app.inject('/health/ready')).statusCode, { timeout: 10_000 })
        .toBe(200);
    } finally {
      await adminQuery(adminUrl, `ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => undefined);
      await t.close();
    }
  });
});

/** Sends raw HTTP/1.1 on one keep-alive connection and collects every byte until the server closes it. */
class RawConnection {
  private readonly socket: net.Socket;
  private received = '';
  readonly closed: Promise<void>;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => (this.received += chunk));
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  send(method: string, path: string, body?: unknown): void {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const headers = [`${method} ${path} HTTP/1.1`, 'Host: localhost', 'Connection: keep-alive'];
    if (payload)
      headers.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(payload)}`);
    this.socket.write(`${headers.join('\r\n')}\r\n\r\n${payload}`);
  }

  /** The responses received, in order: status, lower-cased headers and JSON body. */
  responses(): Array<{ status: number; headers: Record<string, string>; body: unknown }> {
    const out: Array<{ status: number; headers: Record<string, string>; body: unknown }> = [];
    let rest = this.received;
    while (rest.startsWith('HTTP/1.1 ')) {
      const headEnd = rest.indexOf('\r\n\r\n');
      const [statusLine, ...headerLines] = rest.slice(0, headEnd).split('\r\n');
      const headers = Object.fromEntries(
        headerLines.map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
        }),
      );
      const length = Number(headers['content-length'] ?? 0);
      const bodyText = Buffer.from(rest.slice(headEnd + 4), 'utf8')
        .subarray(0, length)
        .toString('utf8');
      out.push({ status: Number(statusLine?.split(' ')[1]), headers, body: JSON.parse(bodyText || 'null') });
      rest = Buffer.from(rest.slice(headEnd + 4), 'utf8')
        .subarray(length)
        .toString('utf8');
    }
    return out;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

describe('a graceful shutdown', () => {
  it('turns readiness 503 saying why, keeps liveness 200, refuses other requests, and finishes the one in flight', async () => {
    const payment = new ScriptedPayment();
    const t = await createTestApp('pglite', {}, { payment });
    const connections: RawConnection[] = [];
    try {
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const address = t.app.server.address();
      if (address === null || typeof address === 'string') throw new Error('not listening on a TCP port');
      const gate = payment.shut();
      // One order in flight per connection, so that each stays open through the shutdown.
      for (let i = 0; i < 3; i++) {
        const connection = new RawConnection(address.port);
        connection.send('POST', '/api/orders', seedOrderBody({ customer_name: `Caller ${i}` }));
        connections.push(connection);
      }
      await gate.entered;
      await expect.poll(() => payment.charges, { timeout: 5_000 }).toBe(3);

      const closing = t.app.close();
      await expect.poll(() => t.container.health.shuttingDown, { timeout: 5_000 }).toBe(true);
      // Requests still arriving on the open connections, after the shutdown began.
      connections[0]!.send('GET', '/health/ready');
      connections[1]!.send('GET', '/health/live');
      connections[2]!.send('GET', '/api/menu');
      gate.open();
      await Promise.all(connections.map((c) => c.closed));
      await closing;

      const [ready, live, menu] = connections.map((c) => c.responses());
      for (const answers of [ready, live, menu]) {
        expect(answers?.[0]?.status, 'the order in flight is finished').toBe(201);
        expect(answers).toHaveLength(2);
        expect(answers?.[1]?.headers.connection).toBe('close');
      }
      expect(ready?.[1]?.status).toBe(503);
      expect(ready?.[1]?.body).toMatchObject({
        status: 'unavailable',
        failed: ['shutdown'],
        checks: { shutdown: { ok: false, error: expect.stringMatching(/shutting down/) } },
      });
      expect(live?.[1]).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(menu?.[1]).toMatchObject({ status: 503, body: { error: 'shutting_down' } });
      expect(menu?.[1]?.headers['retry-after']).toBe('1');
    } finally {
      for (const connection of connections) connection.destroy();
      await t.close();
    }
  });
});

/** The embedded queue, except that counting its jobs never answers (Redis hanging). */
class HangingCountsQueue implements ExportQueue {
  readonly kind = 'embedded' as const;
  private readonly inner = new EmbeddedExportQueue();
  add = (ids: readonly number[]) => this.inner.add(ids);
  consume: ExportQueue['consume'] = (handler, options) => this.inner.consume(handler, options);
  counts = () => new Promise<ExportQueueCounts>(() => undefined);
  close = () => this.inner.close();
}

describe('a scrape while the export queue hangs', () => {
  it('answers within the read timeout, the queue depth unknown and the rest intact', async () => {
    const t = await createTestApp(backend, {}, { queue: new HangingCountsQueue() });
    try {
      const started = performance.now();
      const samples = await scrape(t);
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(valueOf(samples, 'export_queue_depth', { state: 'waiting' })).toBeNaN();
      expect(valueOf(samples, 'export_backlog_orders')).toBe(0);
      expect(valueOf(samples, 'export_lag_seconds')).toBe(0);
    } finally {
      await t.close();
    }
  });
});

describe.each(['staging', 'production'] as const)('/metrics in %s', (mode) => {
  const TOKEN = `metrics-token-${mode}-0123456789`;
  let t: TestApp;
  beforeAll(async () => {
    const unused = 'http://127.0.0.1:9';
    t = await createTestApp(backend, {
      ENV_MODE: mode,
      DASHBOARD_TOKEN: TOKEN,
      VAPI_WEBHOOK_SECRET: 'vapi-metrics-secret-0123456789',
      // Real adapters in production (it refuses mocks); nothing here calls them.
      STRIPE_SECRET_KEY: 'sk_test_metrics',
      STRIPE_WEBHOOK_SECRET: 'whsec_metrics',
      STRIPE_API_URL: unused,
      GOOGLE_MAPS_API_KEY: 'google-key',
      GOOGLE_MAPS_API_URL: unused,
      TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
      TWILIO_AUTH_TOKEN: 'twilio-token',
      TWILIO_FROM_NUMBER: '+12125550100',
      TWILIO_API_URL: unused,
      ...(mode === 'staging' ? { PAYMENT_PROVIDER: 'mock', GEO_PROVIDER: 'mock', SMS_PROVIDER: 'mock' } : {}),
    });
  });
  afterAll(async () => t?.close());

  it('is 401 without the dashboard token and 200 with it; the probes stay open', async () => {
    const refused = await t.app.inject('/metrics');
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error).toBe('unauthorized');
    expect(refused.body).not.toContain('http_requests_total');
    const wrong = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    // A percent-encoded path reaches the same route, so it needs the token too.
    for (const url of ['/%6Detrics', '/api/%6Frders']) {
      expect((await t.app.inject(url)).statusCode, url).toBe(401);
    }
    const samples = await scrape(t, { authorization: `Bearer ${TOKEN}` });
    expect(samplesOf(samples, 'http_requests_total', { route: '/metrics', status: '401' })).toHaveLength(1);
    expect(valueOf(samples, 'export_backlog_orders')).toBe(0);
    expect((await t.app.inject('/health/live')).statusCode).toBe(200);
    expect((await t.app.inject('/health/ready')).statusCode).toBe(200);
  });
});
