// One database interface over two engines: PostgreSQL through node-postgres when DATABASE_URL is set,
// embedded PGlite otherwise. Both give the same Drizzle type and the same raw `query` for the hot path.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema/index.js';

const execFileAsync = promisify(execFile);

export type Orm = PgDatabase<PgQueryResultHKT, typeof schema>;

/** A statement with a stable name: PostgreSQL parses and plans it once per connection. */
export interface SqlStatement {
  readonly name: string;
  readonly text: string;
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly orm: Orm;
  query<Row>(statement: SqlStatement, params: readonly unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

const INT8_OID = 20;
const DATE_OID = 1082;
// Both engines return the same JS types: ids (int8) as numbers, calendar dates as 'YYYY-MM-DD' strings
// (a JS Date would shift the business day by the server's zone).
const parseInt8 = (value: string) => Number(value);
const keepDate = (value: string) => value;

export interface PostgresOptions {
  url: string;
  poolMax: number;
  applicationName?: string;
}

export function connectPostgres(options: PostgresOptions, onPoolError: (error: Error) => void): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    application_name: options.applicationName ?? 'phone-orders',
    // Fail fast when PostgreSQL is down so requests answer 503 instead of queueing forever.
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
    // Recycled connections drop plans cached while tables were small (a seq-scan FK plan costs 5x later).
    maxLifetimeSeconds: 600,
    statement_timeout: 15_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === INT8_OID) return parseInt8;
        if (oid === DATE_OID) return keepDate;
        return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server (PostgreSQL restart) must not crash the process.
  pool.on('error', onPoolError);
  const orm = drizzleNodePg({ client: pool, schema }) as unknown as Orm;
  return {
    kind: 'postgres',
    orm,
    async query<Row>(statement: SqlStatement, params: readonly unknown[]) {
      const result = await pool.query({
        name: statement.name,
        text: statement.text,
        values: params as unknown[],
      });
      return result.rows as Row[];
    },
    close: () => pool.end(),
  };
}

/**
 * `dataDir` null = in memory. `loadDataDir` starts from a dump (tests share one migrated snapshot). PGlite
 * (tens of MB of WebAssembly) is loaded only here, so a process on PostgreSQL never pays for it.
 */
export async function openPglite(dataDir: string | null, loadDataDir?: Blob): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (dataDir && !loadDataDir) await initPgliteDataDir(dataDir);
  const client = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    ...(loadDataDir ? { loadDataDir } : {}),
    parsers: PGLITE_PARSERS,
    startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((s) => ['-c', s])],
  });
  return wrapPglite(client);
}

/**
 * PGlite's WebAssembly memory grows to what PostgreSQL allocates and never shrinks: the default 128 MB of
 * shared buffers alone kept the embedded server near 1 GB. 32 MB holds a busy day's orders (a 20,000-order
 * day's tables and indexes are about 30 MB) and measured about 120 MB less resident memory.
 */
const PGLITE_SETTINGS = ['shared_buffers=32MB'];

/**
 * A fresh data directory is initialised (initdb) in a short-lived child process: PGlite runs initdb in a
 * second database instance beside the first, about 800 MB at once, and that memory would stay with the
 * server for good. Afterwards the server opens the initialised directory at its normal size.
 */
async function initPgliteDataDir(dataDir: string): Promise<void> {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  const script = `const { PGlite } = await import(process.argv[1]);
    const db = await PGlite.create({ dataDir: process.argv[2] });
    await db.close();`;
  const moduleUrl = import.meta.resolve('@electric-sql/pglite');
  await execFileAsync(process.execPath, ['--input-type=module', '-e', script, moduleUrl, dataDir], {
    env: { PATH: process.env.PATH ?? '' },
  });
}

export const PGLITE_PARSERS = { [INT8_OID]: parseInt8, [DATE_OID]: keepDate };

/** A Database over an existing PGlite client (created with PGLITE_PARSERS); closing it closes the client. */
export async function wrapPglite(client: PGlite): Promise<Database> {
  yieldBeforeEachStatement(client);
  const { drizzle: drizzlePglite } = await import('drizzle-orm/pglite');
  const orm = drizzlePglite({ client, schema }) as unknown as Orm;
  return {
    kind: 'pglite',
    orm,
    async query<Row>(statement: SqlStatement, params: readonly unknown[]) {
      const result = await client.query<Row>(statement.text, params as unknown[]);
      return result.rows;
    },
    close: () => client.close(),
  };
}

/**
 * PGlite runs a statement on this thread, and once it starts nothing else does until it ends; awaiting it
 * resolves in microtasks, so a sequence of statements (an export: the backlog, the day's new rows, the
 * exported mark) held the HTTP thread for 170-330 ms at a time under load. Letting pending I/O run before
 * each statement bounds a stall by one statement. Drizzle's queries go through `query` too.
 */
function yieldBeforeEachStatement(client: PGlite): void {
  const query = client.query.bind(client);
  client.query = async function yieldingQuery(...args: Parameters<PGlite['query']>) {
    await new Promise((resolve) => setImmediate(resolve));
    return query(...args);
  } as PGlite['query'];
}
