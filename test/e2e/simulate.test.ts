// `npm run simulate` against the real server process: a mixed rush with re-sent requests that verifies
// clean (exit 0), a server without an export worker whose workbook never gets the orders (exit 1), and a
// URL where nothing listens (exit 2, nothing fired).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { type Running, freePort, runNode, startNode, stop, waitForHealth } from '../helpers/processes.js';

const SECRET = 'simulate-test-secret';

interface Server {
  running: Running;
  base: string;
  dir: string;
}

describe.concurrent('npm run simulate', () => {
  const servers: Server[] = [];
  // Registered before it is healthy, so a server that never becomes healthy is still stopped afterwards.
  const start = async (extraEnv: Record<string, string> = {}): Promise<Server> => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'phone-orders-simulate-'));
    const port = await freePort();
    const running = startNode('src/server.ts', {
      DATA_DIR: dir,
      EXPORT_DIR: path.join(dir, 'exports'),
      PORT: String(port),
      MOCK_SEED: 'simulate-e2e',
      EXPORT_SWEEP_SECONDS: '0.5',
      VAPI_WEBHOOK_SECRET: SECRET,
      ...extraEnv,
    });
    const server = { running, base: `http://127.0.0.1:${port}`, dir };
    servers.push(server);
    // Generous: two servers start at once, and a loaded 2-core machine has taken 50 s for one.
    await waitForHealth(server.base, running, 120_000);
    return server;
  };
  afterAll(async () => {
    for (const s of servers) {
      await stop(s.running, 'SIGKILL');
      await fs.rm(s.dir, { recursive: true, force: true });
    }
  });

  it('fires a mixed rush with re-sent requests and verifies every confirmed order exactly once', async ({
    expect,
  }) => {
    const server = await start();
    const jsonFile = path.join(server.dir, 'simulation.json');
    const { code, output } = await runNode(
      'scripts/simulate.ts',
      { VAPI_WEBHOOK_SECRET: SECRET, EXPORT_DIR: path.join(server.dir, 'exports') },
      [
        ...['--url', server.base, '--orders', '40', '--concurrency', '8', '--duplicates', '0.2'],
        ...['--seed', 'e2e', '--json', jsonFile],
      ],
    );
    expect(code, output).toBe(0);
    for (const line of [
      '✅ GET /health',
      '✅ Test order (POST /api/orders)',
      '✅ Vapi webhook',
      'SIMULATION RESULTS',
      '📡 Direct API:',
      '🎤 Vapi Webhook:',
      'p95:',
      'Total Revenue: $',
      'Re-sent requests: 8 (4 alongside the original, 4 after its answer)',
      'VERIFICATION PASSED',
    ]) {
      expect(output).toContain(line);
    }

    const run = JSON.parse(await fs.readFile(jsonFile, 'utf8'));
    const { summary } = run;
    expect(summary.orders).toBe(40);
    expect(summary.confirmed + summary.failed).toBe(40);
    expect(summary.channels.map((c: { channel: string }) => c.channel)).toEqual(['direct', 'vapi']);
    for (const channel of summary.channels) {
      expect(channel.orders).toBe(20);
      expect(channel.confirmed + channel.failed).toBe(channel.orders);
      expect(channel.confirmed).toBeGreaterThan(10);
    }
    expect(output).toContain(`Successful Orders: ${summary.confirmed}/40`);
    const failures = summary.failures.reduce((n: number, f: { count: number }) => n + f.count, 0);
    expect(failures).toBe(summary.failed);
    expect(summary.failures.every((f: { expected: boolean }) => f.expected)).toBe(true);
    const d = summary.duplicates;
    expect(d.resent).toBe(8);
    expect(d.sameAnswer + d.recovered + d.differing.length).toBe(8);
    expect(run.verification.ok).toBe(true);
    expect(run.exit_code).toBe(0);
    expect(JSON.stringify(run)).not.toContain(SECRET);

    // The server agrees: one confirmed order per confirmed simulated order, plus the pre-flight test order.
    const res = await fetch(`${server.base}/api/orders?status=confirmed&page_size=1`);
    const listed = (await res.json()) as { total: number };
    expect(listed.total).toBe(summary.confirmed + 1);
  }, 180_000);

  it('fails verification (exit 1) when the exports never reach the workbook', async ({ expect }) => {
    const noWorker = await start({ WORKER: 'off' });
    const { code, output } = await runNode('scripts/simulate.ts', { VAPI_WEBHOOK_SECRET: SECRET }, [
      '--url',
      noWorker.base,
      '--orders',
      '10',
      '--verify-timeout',
      '1',
    ]);
    expect(code, output).toBe(1);
    expect(output).toContain('degraded');
    expect(output).toMatch(/exports did not catch up within 1 s: \d+ confirmed order\(s\) still waiting/);
    expect(output).toMatch(/workbook .*orders-\d{4}-\d{2}-\d{2}\.xlsx does not exist/);
    expect(output).toContain('VERIFICATION FAILED');
  }, 180_000);

  it('stops before firing (exit 2) when the pre-flight checks fail', async ({ expect }) => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const { code, output } = await runNode('scripts/simulate.ts', {}, ['--url', nowhere, '--orders', '5']);
    expect(code, output).toBe(2);
    expect(output).toContain('❌ GET /health: no answer from');
    expect(output).toContain('Pre-flight failed');
    expect(output).not.toContain('SIMULATION RESULTS');

    const usage = await runNode('scripts/simulate.ts', {}, ['--direct', '--vapi']);
    expect(usage.code).toBe(2);
    expect(usage.output).toMatch(/cannot be used with/);
  }, 60_000);
});
