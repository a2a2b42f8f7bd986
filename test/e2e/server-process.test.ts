// The real entry point in a real process, as `npm start` runs it: the quick start's curl example, the
// embedded database's single-process guard, a graceful stop that finishes in-flight orders, and start-up
// refusing bad configuration.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrderBody } from '../helpers/test-app.js';
import { type Running, freePort, startNode, waitForHealth } from '../helpers/processes.js';

const startServer = (env: Record<string, string>) => startNode('src/server.ts', env);

const postOrder = (base: string, body: object = seedOrderBody(), key?: string) =>
  fetch(`${base}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });

describe('the server process on the embedded defaults', () => {
  let dataDir: string;
  let port: number;
  let base: string;
  const started: Running[] = [];
  const start = (env: Record<string, string> = {}) => {
    const running = startServer({ DATA_DIR: dataDir, PORT: String(port), ...env });
    started.push(running);
    return running;
  };

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'phone-orders-e2e-'));
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    for (const running of started) if (running.child.exitCode === null) running.child.kill('SIGKILL');
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('answers the quick start curl example with 201 and total 45.14, with the default mock settings', async () => {
    const server = start();
    await waitForHealth(base, server);
    const res = await postOrder(base);
    expect(res.status).toBe(201);
    const order = (await res.json()) as { total: number; status: string; payment_status: string };
    expect(order).toMatchObject({ total: 45.14, status: 'confirmed', payment_status: 'succeeded' });

    // A second process on the same embedded database is refused with a clear message, not allowed to corrupt it.
    const intruder = start({ PORT: String(await freePort()) });
    expect(await intruder.exited).toBe(1);
    expect(intruder.output()).toMatch(/already open in another process \(pid \d+\).*DATABASE_URL/s);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('finishes in-flight orders on SIGTERM, refuses new ones, and keeps them across a restart', async () => {
    const server = start({
      MOCK_PAYMENT_LATENCY_MS: '1500',
      MOCK_PAYMENT_FAILURE_RATE: '0',
      MOCK_GEO_FAILURE_RATE: '0',
    });
    await waitForHealth(base, server);
    const inFlight = Array.from({ length: 20 }, (_, i) => postOrder(base, seedOrderBody(), `graceful-${i}`));
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.child.kill('SIGTERM');
    // Once the server is closing (health no longer 200), while the 20 are still paying, a new order is
    // turned away: 503 on a kept-alive connection, or refused.
    await expect
      .poll(
        () =>
          fetch(`${base}/health`).then(
            (r) => r.status,
            () => 'refused',
          ),
        { timeout: 1_000, interval: 20 },
      )
      .not.toBe(200);
    const late = await postOrder(base).then(
      (r) => r.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(late);
    const answers = await Promise.all(inFlight);
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(await server.exited, server.output()).toBe(0);

    const restarted = start();
    await waitForHealth(base, restarted);
    for (let i = 0; i < 20; i++) {
      const replay = await postOrder(base, seedOrderBody(), `graceful-${i}`);
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
    }
    restarted.child.kill('SIGINT');
    expect(await restarted.exited, restarted.output()).toBe(0);
  });

  it('refuses to start with bad configuration, listing every problem without a stack trace', async () => {
    const bad = start({ PORT: 'eighty', TAX_RATE: '7', ENV_MODE: 'production' });
    expect(await bad.exited).toBe(1);
    const output = bad.output();
    for (const name of ['PORT', 'TAX_RATE']) expect(output).toContain(name);
    expect(output).toMatch(/Invalid configuration \(\d+ problems?\)/);
    expect(output).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);

    const production = start({ ENV_MODE: 'production' });
    expect(await production.exited).toBe(1);
    for (const name of [
      'STRIPE_SECRET_KEY',
      'GOOGLE_MAPS_API_KEY',
      'VAPI_WEBHOOK_SECRET',
      'DASHBOARD_TOKEN',
    ]) {
      expect(production.output()).toContain(name);
    }
  });
});
