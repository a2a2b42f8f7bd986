// When the first statement of a natural batch (claims, order writes) may go. On PostgreSQL a statement is
// a socket round trip, so what becomes ready while it is in flight gathers behind it by itself. PGlite
// runs the statement on this thread in the same run of microtasks: started at once, every statement
// carried one order (5,000 claims and 5,000 writes for 5,000 orders at concurrency 64). Waiting for the
// end of this turn of the event loop lets the requests read in the same turn join the first statement.
import type { Database } from './client.js';

export function startBatch(db: Database, flush: () => Promise<void>): void {
  if (db.kind === 'pglite') setImmediate(() => void flush());
  else void flush();
}
