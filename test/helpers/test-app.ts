// Builds the real app (real container, real database) for app.inject tests, with config from env overrides.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { type AppConfig, loadConfig } from '../../src/config.js';
import { type Container, type ContainerOverrides, createContainer } from '../../src/container.js';
import { connectPostgres } from '../../src/db/client.js';
import { SEED_EXAMPLE_ORDER } from '../../src/modules/orders/orders.schemas.js';
import { type Backend, createTestDatabase } from './test-database.js';

export interface TestApp {
  app: FastifyInstance;
  container: Container;
  config: AppConfig;
  close(): Promise<void>;
}

/** Development defaults with mock failures off and logs silent; `env` overrides any variable. */
export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    MOCK_PAYMENT_FAILURE_RATE: '0',
    MOCK_GEO_FAILURE_RATE: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
}

/**
 * The whole app on a fresh database of `backend`, writing workbooks to its own temporary folder. The export
 * worker runs only when `startWorker` is set.
 */
export async function createTestApp(
  backend: Backend,
  env: Record<string, string> = {},
  overrides: Omit<ContainerOverrides, 'database'> & { startWorker?: boolean } = {},
): Promise<TestApp> {
  const { startWorker, ...containerOverrides } = overrides;
  const testDb = await createTestDatabase(backend);
  const exportDir = await fs.mkdtemp(path.join(os.tmpdir(), 'phone-orders-exports-'));
  const config = testConfig({
    EXPORT_DIR: exportDir,
    ...env,
    ...(testDb.url ? { DATABASE_URL: testDb.url } : {}),
  });
  const container = await createContainer(config, { ...containerOverrides, database: testDb.db });
  const app = await buildApp(container);
  await app.ready();
  if (startWorker) container.exportWorker.start();
  return {
    app,
    container,
    config,
    close: async () => {
      await app.close();
      await container.close();
      await testDb.drop();
      await fs.rm(exportDir, { recursive: true, force: true });
    },
  };
}

/** The original system's curl example: 2 x Pizza Margherita + 2 x Coke to 350 Fifth Avenue. */
export function seedOrderBody(overrides: Record<string, unknown> = {}) {
  return { ...structuredClone(SEED_EXAMPLE_ORDER), ...overrides };
}

/**
 * A second app instance on the same database and payment provider, as a second API process would be: its own
 * container and in-memory state, its own connection pool on PostgreSQL (the shared client on PGlite).
 */
export async function createSiblingApp(
  first: TestApp,
  overrides: Omit<ContainerOverrides, 'database'> = {},
): Promise<TestApp> {
  const url = first.config.database.url;
  const database = url
    ? connectPostgres({ url, poolMax: 10 }, () => undefined)
    : { ...first.container.db, close: () => Promise.resolve() };
  const container = await createContainer(first.config, {
    payment: first.container.payment,
    ...overrides,
    database,
  });
  const app = await buildApp(container);
  await app.ready();
  return {
    app,
    container,
    config: first.config,
    close: async () => {
      await app.close();
      await container.close();
    },
  };
}
