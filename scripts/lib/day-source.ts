// Where a CLI tool gets a day's data: PostgreSQL directly when DATABASE_URL is set; otherwise the running
// service over HTTP (it holds the embedded database, which only one process may open); otherwise the
// embedded database itself, opened (and locked) by the tool while no service runs.
import pino from 'pino';
import type { AppConfig } from '../../src/config.js';
import { type Database, connectPostgres, openPglite } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { DataDirInUseError, lockDataDir } from '../../src/db/pglite-lock.js';
import { ExportLock } from '../../src/modules/exports/export-lock.js';
import { ExportsRepository } from '../../src/modules/exports/exports.repository.js';
import { WorkbookExporter } from '../../src/modules/exports/workbook-exporter.js';

export type DaySource =
  | {
      kind: 'database';
      label: string;
      repository: ExportsRepository;
      exporter: WorkbookExporter;
      close(): Promise<void>;
    }
  | { kind: 'service'; label: string; url: string; close(): Promise<void> };

export async function openDaySource(config: AppConfig, serviceUrl: string): Promise<DaySource> {
  if (config.database.url) {
    const db = connectPostgres(
      { url: config.database.url, poolMax: 2, applicationName: 'phone-orders-cli' },
      () => undefined,
    );
    return databaseSource(config, db, 'PostgreSQL (DATABASE_URL)', () => db.close());
  }
  if (await answers(serviceUrl)) {
    return {
      kind: 'service',
      label: `the running service at ${serviceUrl}`,
      url: serviceUrl,
      close: async () => undefined,
    };
  }
  const dir = config.database.pgliteDir ?? '';
  let release: () => Promise<void>;
  try {
    release = await lockDataDir(dir, () => undefined);
  } catch (error) {
    if (error instanceof DataDirInUseError) {
      throw new Error(
        `${error.message}\nNo service answers at ${serviceUrl}: pass --url with the address of the service ` +
          'that holds the database, or stop that process and run this command again.',
        { cause: error },
      );
    }
    throw error;
  }
  const db = await openPglite(dir);
  await migrateDatabase(db);
  return databaseSource(config, db, `the embedded database in ${dir}`, async () => {
    await db.close();
    await release();
  });
}

function databaseSource(
  config: AppConfig,
  db: Database,
  label: string,
  close: () => Promise<void>,
): DaySource {
  const repository = new ExportsRepository(db);
  const exporter = new WorkbookExporter(
    repository,
    new ExportLock(config.exportDir),
    { exportDir: config.exportDir, timeZone: config.timeZone },
    pino({ level: 'silent' }),
  );
  return { kind: 'database', label, repository, exporter, close };
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_500) });
    return res.status === 200 || res.status === 503;
  } catch {
    return false;
  }
}

/** GET/POST JSON from the service, with its error message on failure. */
export async function callService<T>(url: string, path: string, method: 'GET' | 'POST' = 'GET'): Promise<T> {
  const res = await fetch(`${url}${path}`, { method, signal: AbortSignal.timeout(120_000) });
  const body = (await res.json()) as T & { message?: string };
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${body.message ?? 'no message'}`);
  return body;
}
