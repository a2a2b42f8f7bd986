// A fresh, migrated database for one test file: PGlite loaded from the shared snapshot, or a PostgreSQL
// database cloned from the run's template. Isolation by database, never by wiping shared tables.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import { type Database, PGLITE_PARSERS, connectPostgres, wrapPglite } from '../../src/db/client.js';
import { adminQuery, withDatabase } from '../global-setup.js';

export type Backend = 'pglite' | 'postgres';

/** The backends this run tests against: PGlite always, PostgreSQL when reachable (always in CI). */
export function availableBackends(): Backend[] {
  return inject('postgresTemplate') ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase {
  db: Database;
  /** Set for PostgreSQL: the per-file database URL. */
  url: string | null;
  drop(): Promise<void>;
}

export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const snapshot = new Blob([await fs.readFile(inject('pgliteSnapshot'))]);
    const client = await PGlite.create({ loadDataDir: snapshot, parsers: PGLITE_PARSERS });
    const db = await wrapPglite(client);
    return { db, url: null, drop: () => Promise.resolve() };
  }
  const template = inject('postgresTemplate');
  if (!template) throw new Error('PostgreSQL is not reachable in this run');
  const name = `phone_orders_t_${randomBytes(6).toString('hex')}`;
  await cloneTemplate(template.adminUrl, template.template, name);
  const url = withDatabase(template.adminUrl, name);
  const db = connectPostgres({ url, poolMax: 10 }, () => undefined);
  return {
    db,
    url,
    drop: () => adminQuery(template.adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Parallel test files clone the same template; PostgreSQL refuses while another clone is copying it. */
async function cloneTemplate(adminUrl: string, template: string, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await adminQuery(adminUrl, `CREATE DATABASE ${name} TEMPLATE ${template}`);
      return;
    } catch (error) {
      if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
