// PGlite runs statements on the HTTP thread: between two statements of a sequence (an export) pending I/O
// must get its turn, so a long sequence stalls requests for one statement at most, not for all of them.
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { type TestDatabase, createTestDatabase } from '../helpers/test-database.js';

const database: TestDatabase = await createTestDatabase('pglite');
afterAll(() => database.db.close());

/** Runs `statements` one after another while an I/O-phase callback waits; where that callback ran. */
async function whereIoRan(run: (step: number) => Promise<unknown>, statements = 4): Promise<string[]> {
  const seen: string[] = [];
  const sequence = (async () => {
    for (let step = 0; step < statements; step += 1) {
      await run(step);
      seen.push(`statement ${step}`);
    }
  })();
  // Queued behind the sequence's first statement: without a yield it would run after all of them.
  setImmediate(() => setImmediate(() => seen.push('io')));
  await sequence;
  return seen;
}

describe('PGlite statements in a sequence', () => {
  it('let pending I/O run between two raw statements', async () => {
    const seen = await whereIoRan(() => database.db.query({ name: 'yield_probe', text: 'SELECT 1' }, []));
    expect(seen.indexOf('io')).toBeGreaterThan(-1);
    expect(seen.indexOf('io')).toBeLessThan(seen.indexOf('statement 3'));
  });

  it('let pending I/O run between two Drizzle queries', async () => {
    const seen = await whereIoRan(() => database.db.orm.execute(sql`SELECT 1`));
    expect(seen.indexOf('io')).toBeGreaterThan(-1);
    expect(seen.indexOf('io')).toBeLessThan(seen.indexOf('statement 3'));
  });
});
