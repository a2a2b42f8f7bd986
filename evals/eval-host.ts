// The real app for one scenario, and its restart: the running app and its container are closed and a new one
// is built on the same database, as a redeployed API process would be. The database outlives the app: it is
// the scenario's own or the run's shared one (scenario-databases.ts), never closed here.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { type AppConfig, loadConfig } from '../src/config.js';
import { type Container, createContainer } from '../src/container.js';
import { type Database, connectPostgres } from '../src/db/client.js';

export interface FreshDatabase {
  db: Database;
  /** Set for PostgreSQL: the database's URL. */
  url: string | null;
  drop(): Promise<void>;
}

/** Where databases come from: a fresh, migrated one per create(). */
export interface DatabaseSource {
  readonly backend: 'pglite' | 'postgres';
  create(): Promise<FreshDatabase>;
}

/** Sent as X-Vapi-Secret: the evals use the authenticated route Vapi uses. */
export const EVAL_VAPI_SECRET = 'eval-vapi-secret';
/** The Stripe webhook's signing secret, so an eval can expire a payment link as Stripe would. */
export const EVAL_STRIPE_WEBHOOK_SECRET = 'whsec_eval';

export class EvalHost {
  private constructor(
    private readonly database: FreshDatabase,
    private readonly exportDir: string,
    readonly config: AppConfig,
    public app: FastifyInstance,
    public container: Container,
  ) {}

  /** The app on `database`, with the scenario's configuration over the evals' defaults. */
  static async start(database: FreshDatabase, env: Record<string, string>): Promise<EvalHost> {
    const exportDir = await fs.mkdtemp(path.join(os.tmpdir(), 'phone-orders-eval-'));
    try {
      const config = loadConfig({
        MOCK_PAYMENT_FAILURE_RATE: '0',
        MOCK_GEO_FAILURE_RATE: '0',
        LOG_LEVEL: 'silent',
        ...env,
        VAPI_WEBHOOK_SECRET: EVAL_VAPI_SECRET,
        STRIPE_WEBHOOK_SECRET: EVAL_STRIPE_WEBHOOK_SECRET,
        EXPORT_DIR: exportDir,
        ...(database.url ? { DATABASE_URL: database.url } : {}),
      });
      const { app, container } = await build(config, database);
      return new EvalHost(database, exportDir, config, app, container);
    } catch (error) {
      await fs.rm(exportDir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * An API restart mid-call: nothing in memory survives; the database and the payment provider (outside the
   * process) do.
   */
  async restart(): Promise<void> {
    const payment = this.container.payment;
    await this.stop();
    const { app, container } = await build(this.config, this.database, payment);
    this.app = app;
    this.container = container;
  }

  async close(): Promise<void> {
    try {
      await this.stop();
    } finally {
      await fs.rm(this.exportDir, { recursive: true, force: true });
    }
  }

  private async stop(): Promise<void> {
    await this.app.close();
    await this.container.close();
  }
}

async function build(config: AppConfig, database: FreshDatabase, payment?: Container['payment']) {
  const container = await createContainer(config, {
    database: connection(database),
    ...(payment ? { payment } : {}),
  });
  try {
    const app = await buildApp(container);
    await app.ready();
    return { app, container };
  } catch (error) {
    await container.close();
    throw error;
  }
}

/**
 * What one container gets and closes with itself: on PostgreSQL a pool of its own, as a process has; on PGlite
 * a view of the one embedded client that leaves it open for the next container.
 */
function connection(database: FreshDatabase): Database {
  if (database.url) return connectPostgres({ url: database.url, poolMax: 10 }, () => undefined);
  return { ...database.db, close: () => Promise.resolve() };
}
