// Fresh databases for `npm run eval` (vitest uses the test helpers' instead): embedded PGlite by default,
// PostgreSQL when DATABASE_URL is set, as the tests decide. Migrating costs seconds, so it is done once: each
// PGlite database loads a dump of a migrated one, each PostgreSQL database clones a migrated template.
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { PGLITE_PARSERS, connectPostgres, openPglite, wrapPglite } from '../src/db/client.js';
import { migrateDatabase } from '../src/db/migrate.js';
import type { DatabaseSource, FreshDatabase } from './eval-host.js';

export interface ClosableSource extends DatabaseSource {
  /** Removes what the source made once (the template database). */
  close(): Promise<void>;
}

export async function databaseSource(databaseUrl: string | null): Promise<ClosableSource> {
  return databaseUrl ? postgresSource(databaseUrl) : pgliteSource();
}

async function pgliteSource(): Promise<ClosableSource> {
  const client = await PGlite.create({ parsers: PGLITE_PARSERS });
  let snapshot: Blob;
  try {
    await migrateDatabase(await wrapPglite(client));
    snapshot = await client.dumpDataDir('gzip');
  } finally {
    await client.close();
  }
  return {
    backend: 'pglite',
    async create(): Promise<FreshDatabase> {
      const db = await openPglite(null, snapshot);
      return { db, url: null, drop: () => Promise.resolve() };
    },
    close: () => Promise.resolve(),
  };
}

async function postgresSource(adminUrl: string): Promise<ClosableSource> {
  const template = `phone_orders_eval_tpl_${process.pid}`;
  await admin(adminUrl, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  await admin(adminUrl, `CREATE DATABASE ${template}`);
  const templateUrl = withDatabase(adminUrl, template);
  const db = connectPostgres({ url: templateUrl, poolMax: 1 }, () => undefined);
  try {
    await migrateDatabase(db, templateUrl);
  } finally {
    await db.close();
  }
  return {
    backend: 'postgres',
    async create(): Promise<FreshDatabase> {
      const name = `phone_orders_eval_${randomBytes(6).toString('hex')}`;
      await cloneTemplate(adminUrl, template, name);
      const url = withDatabase(adminUrl, name);
      return {
        db: connectPostgres({ url, poolMax: 10 }, () => undefined),
        url,
        drop: () => admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      };
    },
    close: () => admin(adminUrl, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`),
  };
}

/** PostgreSQL refuses a clone while another one is copying the same template: wait and retry. */
async function cloneTemplate(adminUrl: string, template: string, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin(adminUrl, `CREATE DATABASE ${name} TEMPLATE ${template}`);
      return;
    } catch (error) {
      if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

async function admin(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
