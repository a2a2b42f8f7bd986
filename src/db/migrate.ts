import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import pg from 'pg';
import { MIGRATIONS_DIR } from '../shared/paths.js';
import type { Database } from './client.js';
import { databaseStartupError } from './startup-errors.js';

// Several API processes and workers may start at once against one PostgreSQL: an advisory lock makes
// exactly one of them apply pending migrations while the others wait, then find nothing to do.
const MIGRATION_LOCK = 'SELECT pg_advisory_lock(hashtext($1))';
const MIGRATION_UNLOCK = 'SELECT pg_advisory_unlock(hashtext($1))';
const LOCK_NAME = 'phone-orders:migrations';

export async function migrateDatabase(db: Database, postgresUrl?: string): Promise<void> {
  if (db.kind === 'pglite') {
    await migratePglite(db.orm as unknown as PgliteDatabase, { migrationsFolder: MIGRATIONS_DIR });
    return;
  }
  if (!postgresUrl) throw new Error('migrateDatabase needs the PostgreSQL URL for its session lock');
  // A dedicated session: advisory locks belong to a connection, and a pooled one could change under us.
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 5_000 });
  // The first connection of a start: a server that is down or a database not yet created is the operator's
  // to fix, and says so in one line (startup-errors.ts).
  await client.connect().catch((error: unknown) => {
    throw databaseStartupError(error, postgresUrl) ?? error;
  });
  try {
    await client.query(MIGRATION_LOCK, [LOCK_NAME]);
    await migrateNodePg(drizzleNodePg({ client }), { migrationsFolder: MIGRATIONS_DIR });
    await client.query(MIGRATION_UNLOCK, [LOCK_NAME]);
  } finally {
    await client.end();
  }
}
