// Which database a scenario runs on. A fresh PGlite costs 1-2 s to load, a fresh app 0.2 s, so scenarios share
// one database per run and stay apart by data: each call has its own id and each scenario its own caller
// numbers (scenario-loader.ts), and every check reads only its own call's orders. A scenario that changes
// what others would see (the menu's sold-out items) gets a database of its own.
import type { DatabaseSource, FreshDatabase } from './eval-host.js';
import type { Scenario } from './scenario.schema.js';

export class ScenarioDatabases {
  private shared: Promise<FreshDatabase> | null = null;

  constructor(private readonly source: DatabaseSource) {}

  get backend(): DatabaseSource['backend'] {
    return this.source.backend;
  }

  /** Runs `use` on the database `scenario` may use. */
  async with<T>(scenario: Scenario, use: (database: FreshDatabase) => Promise<T>): Promise<T> {
    if (!needsOwnDatabase(scenario)) {
      this.shared ??= this.source.create();
      return use(await this.shared);
    }
    const own = await this.source.create();
    try {
      return await use(own);
    } finally {
      await dispose(own);
    }
  }

  async close(): Promise<void> {
    if (this.shared) await dispose(await this.shared);
  }
}

function needsOwnDatabase(scenario: Scenario): boolean {
  return scenario.steps.some((step) => 'menu_item' in step);
}

async function dispose(database: FreshDatabase): Promise<void> {
  try {
    await database.db.close();
  } finally {
    await database.drop();
  }
}
