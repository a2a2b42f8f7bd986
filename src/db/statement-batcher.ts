// Natural batching for a statement on every order's path (idempotency claims, order writes): items that
// arrive while a statement is in flight wait and go together in the next one. Alone, an item goes at once
// with no added delay; in a rush many share one statement and one commit (the round trip and the commit
// were most of an order's database cost, docs/benchmarks.md).
import type { Database } from './client.js';

/**
 * One statement in flight at a time: with two (PostgreSQL, concurrency 64) the batches halved, the API's and
 * PostgreSQL's CPU per order rose by 20-40 % and throughput did not move (docs/benchmarks.md).
 */
export class StatementBatcher<Item> {
  private waiting: Item[] = [];
  private sending = false;

  constructor(
    private readonly db: Database,
    private readonly maxBatch: number,
    /** Sends one batch; settles every item of it (never rejects). */
    private readonly send: (batch: Item[]) => Promise<void>,
  ) {}

  add(item: Item): void {
    this.waiting.push(item);
    if (this.sending) return;
    this.sending = true;
    // PGlite runs a statement on this thread in the same run of microtasks: started at once, every
    // statement carried one order (5,000 claims and 5,000 writes for 5,000 orders at concurrency 64).
    // Waiting for the end of this turn of the event loop lets the requests read in the same turn join.
    // (The yield PGlite's own statements make comes after the batch was taken, so it cannot do this.)
    if (this.db.kind === 'pglite') setImmediate(() => void this.run());
    else void this.run();
  }

  private async run(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        // A sender that broke its promise must not stop the items behind it.
        await this.send(this.waiting.splice(0, this.maxBatch)).catch(() => undefined);
      }
    } finally {
      this.sending = false;
    }
  }
}
