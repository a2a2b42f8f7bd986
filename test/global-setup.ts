// Runs once before all test files: compiles src/ to dist/ as `npm start` does (process tests run the
// compiled entry points), builds one migrated PGlite snapshot (PGlite costs ~2 s to initialise,
// a snapshot ~0.5 s to load) and, when PostgreSQL is reachable, a migrated template database that each test
// file clones. In CI (CI=true) an unreachable PostgreSQL fails the run instead of skipping its tests.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { PGLITE_PARSERS, connectPostgres, wrapPglite } from '../src/db/client.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { buildService } from '../scripts/build.js';

export interface PostgresTemplate {
  /** URL of a maintenance database on the server, used to create and drop per-file databases. */
  adminUrl: string;
  template: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshot: string;
    postgresTemplate: PostgresTemplate | null;
  }
}

export default async function setup(project: TestProject) {
  await buildService();
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'phone-orders-test-'));
  const snapshotPath = path.join(workDir, 'pglite-migrated.tar.gz');
  const client = await PGlite.create({ parsers: PGLITE_PARSERS });
  await migrateDatabase(await wrapPglite(client));
  const snapshot = await client.dumpDataDir('gzip');
  await fs.writeFile(snapshotPath, Buffer.from(await snapshot.arrayBuffer()));
  await client.close();
  project.provide('pgliteSnapshot', snapshotPath);

  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const template = `phone_orders_tpl_${process.pid}`;
  const postgres = await createTemplate(adminUrl, template);
  project.provide('postgresTemplate', postgres);

  return async () => {
    if (postgres) await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await fs.rm(workDir, { recursive: true, force: true });
  };
}

async function createTemplate(adminUrl: string, template: string): Promise<PostgresTemplate | null> {
  try {
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await adminQuery(adminUrl, `CREATE DATABASE ${template}`);
  } catch (error) {
    const message = `PostgreSQL at ${adminUrl.replace(/:[^:@/]*@/, ':***@')} is unreachable: ${(error as Error).message}`;
    if (process.env.CI === 'true')
      throw new Error(`${message}. CI must test against PostgreSQL.`, { cause: error });
    console.warn(`${message}; running the database tests on embedded PGlite only.`);
    return null;
  }
  const url = withDatabase(adminUrl, template);
  const db = connectPostgres({ url, poolMax: 1 }, () => undefined);
  try {
    await migrateDatabase(db, url);
  } finally {
    await db.close();
  }
  return { adminUrl, template };
}

export async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
