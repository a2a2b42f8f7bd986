// What `npm start` prints: in development a banner a person can act on (the dashboard's URL, the first order),
// with LOG_FORMAT=json the JSON lines staging and production log. Neither shows a secret or a password.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, freePort, startNode, stop, waitForHealth } from '../helpers/processes.js';
import { availableBackends, createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/** Set although development ignores most of them: none may appear in the output. */
const SECRETS = {
  VAPI_WEBHOOK_SECRET: 'banner-vapi-secret-0123456789abcdef',
  DASHBOARD_TOKEN: 'banner-dashboard-token-0123456789abcdef',
  VAPI_API_KEY: 'banner-vapi-api-key-0123456789',
  STRIPE_SECRET_KEY: 'sk_test_banner0123456789abcdef',
};
const DATABASE_PASSWORD = 'banner-db-password-42';
/** A start (tsx, migrations, the menu) takes seconds, more on a busy machine. */
const START_TIMEOUT_MS = 120_000;

describe('the start-up output', () => {
  let dataDir: string;
  const started: Running[] = [];

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'phone-orders-banner-'));
  });
  afterAll(async () => {
    for (const running of started) await stop(running, 'SIGKILL');
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  /** Starts the server on a free port of 127.0.0.1 and waits until it answers and has printed its start. */
  async function start(env: Record<string, string>, startedLine: RegExp) {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const running = startNode('src/server.ts', {
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      ...SECRETS,
      ...env,
    });
    started.push(running);
    await waitForHealth(base, running, 60_000);
    await expect.poll(() => running.output(), { timeout: 10_000 }).toMatch(startedLine);
    return { base, running };
  }

  it(
    'in development (LOG_FORMAT unset) prints a banner naming the dashboard, docs, database and first order',
    async () => {
      // LOG_FORMAT empty = unset: the development default, pretty (the helper sets json for other tests).
      const { base, running } = await start({ LOG_FORMAT: '', DATA_DIR: dataDir }, /Ctrl-C stops/);
      const output = running.output();

      expect(output).toContain(`AI Pizza Palace is taking orders (development, v`);
      expect(output).toMatch(new RegExp(`Dashboard +${base}/dashboard\\n`));
      expect(output).toMatch(new RegExp(`API docs +${base}/docs\\n`));
      expect(output).toMatch(new RegExp(`Health +${base}/health\\n`));
      expect(output).toContain(`embedded PGlite in ${path.join(dataDir, 'pglite')}`);
      expect(output).toContain('embedded (in this process), export worker in this process');
      expect(output).toContain(`${dataDir}/orders-YYYY-MM-DD.xlsx`);
      expect(output).toContain(`curl -X POST ${base}/api/orders -H 'Content-Type: application/json' -d '{`);
      // No JSON log line: people read this.
      expect(output).not.toMatch(/^\{"level"/m);
      for (const secret of Object.values(SECRETS)) expect(output).not.toContain(secret);

      // The banner's curl, as printed, places the order.
      const curl = /curl -X POST \S+ -H '[^']+' -d '([^']+)'/.exec(output);
      const res = await fetch(`${base}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: curl?.[1] ?? '',
      });
      expect(res.status).toBe(201);
      expect(((await res.json()) as { total: number }).total).toBe(45.14);

      // GET / names the dashboard too.
      const root = (await (await fetch(`${base}/`)).json()) as { links: Record<string, string> };
      expect(root.links.dashboard).toBe('/dashboard');
      expect(await stop(running, 'SIGTERM', 15_000)).toBe(0);
    },
    START_TIMEOUT_MS,
  );

  describe.runIf(availableBackends().includes('postgres'))('on PostgreSQL with LOG_FORMAT=json', () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase('postgres');
      await database.db.close();
    });
    afterAll(async () => database.drop());

    it(
      'logs JSON lines only, the start line naming the dashboard, and no password',
      async () => {
        // Trust authentication ignores the password; it is there to prove the output never shows it.
        const url = new URL(database.url ?? '');
        url.password = DATABASE_PASSWORD;
        const { base, running } = await start(
          { LOG_FORMAT: 'json', DATABASE_URL: url.toString(), DATA_DIR: dataDir },
          /"msg":"AI Pizza Palace is taking orders"/,
        );
        const lines = running
          .output()
          .split('\n')
          .filter((line) => line.trim() !== '');
        for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
        const startLine = lines
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .find((entry) => entry.msg === 'AI Pizza Palace is taking orders');
        expect(startLine).toMatchObject({
          mode: 'development',
          database: 'postgres',
          dashboard: `${base}/dashboard`,
          docs: `${base}/docs`,
        });
        const output = running.output();
        expect(output).not.toContain(DATABASE_PASSWORD);
        for (const secret of Object.values(SECRETS)) expect(output).not.toContain(secret);
        expect(await stop(running, 'SIGTERM', 15_000)).toBe(0);
      },
      START_TIMEOUT_MS,
    );

    it(
      'names the PostgreSQL server and database in the banner, without the password',
      async () => {
        const url = new URL(database.url ?? '');
        url.password = DATABASE_PASSWORD;
        const { running } = await start(
          { LOG_FORMAT: 'pretty', DATABASE_URL: url.toString(), DATA_DIR: dataDir },
          /Ctrl-C stops/,
        );
        const output = running.output();
        expect(output).toContain(`PostgreSQL at ${url.host}${url.pathname}\n`);
        expect(output).not.toContain(DATABASE_PASSWORD);
        expect(await stop(running, 'SIGTERM', 15_000)).toBe(0);
      },
      START_TIMEOUT_MS,
    );
  });
});
