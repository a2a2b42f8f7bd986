// verify and report while the service runs on the embedded database (they ask it over HTTP), and after it
// stopped (they open the database themselves). Exit codes are what scripts and cron jobs rely on.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workbookFileName } from '../../src/modules/exports/workbook.columns.js';
import { businessDateOf } from '../../src/shared/zoned-time.js';
import {
  type Running,
  freePort,
  placeOrders,
  runNode,
  startNode,
  stop,
  waitForHealth,
} from '../helpers/processes.js';
import { seedOrderBody } from '../helpers/test-app.js';

describe('verify and report on the embedded database', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let server: Running;
  let base: string;
  const date = () => businessDateOf(new Date(), 'America/New_York');

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'phone-orders-cli-'));
    const port = await freePort();
    env = { DATA_DIR: dataDir, PORT: String(port), EXPORT_SWEEP_SECONDS: '0.5' };
    base = `http://127.0.0.1:${port}`;
    server = startNode('src/server.ts', env);
    await waitForHealth(base, server);
  });
  afterAll(async () => {
    await stop(server, 'SIGKILL');
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('verifies through the running service, rebuilds a missing workbook, then verifies on its own', async () => {
    const placed = await placeOrders(base, 40, 8, (i) => seedOrderBody({ customer_name: `Cli ${i}` }));
    // The default mocks decline or time out some orders on purpose; only confirmed ones belong in the workbook.
    expect(placed.filter((r) => r.status === 201).length).toBeGreaterThan(25);
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${base}/health`)).json()) as { exports: { backlog: number } }).exports
            .backlog,
        {
          timeout: 30_000,
        },
      )
      .toBe(0);

    const viaService = await runNode('scripts/verify.ts', env);
    expect(viaService.code, viaService.output).toBe(0);
    expect(viaService.output).toContain('the running service');
    expect(viaService.output).toContain(`Total Orders: ${placed.filter((r) => r.status === 201).length}`);

    const file = path.join(dataDir, workbookFileName(date()));
    await fs.rm(file);
    const missing = await runNode('scripts/verify.ts', env);
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/workbook does not exist/);

    const report = await runNode('scripts/report.ts', env, ['--date', date()]);
    expect(report.code, report.output).toBe(0);
    expect(report.output).toMatch(/Rebuilt .*orders-\d{4}-\d{2}-\d{2}\.xlsx/);
    expect((await runNode('scripts/verify.ts', env)).code).toBe(0);

    expect(await stop(server)).toBe(0);
    const alone = await runNode('scripts/verify.ts', env, ['--date', date()]);
    expect(alone.code, alone.output).toBe(0);
    expect(alone.output).toContain('the embedded database');
  }, 120_000);

  it('refuses a malformed date with a clear message', async () => {
    const bad = await runNode('scripts/verify.ts', env, ['--date', '2026-02-30']);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('--date must be a date like');
  });
});
