import { describe, expect, it } from 'vitest';
import type { Database } from './client.js';
import { StatementBatcher } from './statement-batcher.js';

const engine = (kind: Database['kind']) => ({ kind }) as Database;

/** A sender that records each batch and answers when `release` is called for it. */
function recordingSender(options: { failFirst?: boolean } = {}) {
  const batches: number[][] = [];
  const pending: (() => void)[] = [];
  const send = (batch: number[]) => {
    batches.push(batch);
    const fail = options.failFirst && batches.length === 1;
    return new Promise<void>((resolve, reject) =>
      pending.push(() => (fail ? reject(new Error('broken sender')) : resolve())),
    );
  };
  const releaseAll = async () => {
    while (pending.length > 0) {
      pending.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { batches, send, releaseAll };
}

describe('StatementBatcher', () => {
  it('on PostgreSQL sends the first item at once and what arrives meanwhile in the next statement', async () => {
    const sender = recordingSender();
    const batcher = new StatementBatcher(engine('postgres'), 100, sender.send);
    batcher.add(1);
    batcher.add(2);
    batcher.add(3);
    await sender.releaseAll();
    expect(sender.batches).toEqual([[1], [2, 3]]);
  });

  it('on PGlite waits for the end of the turn, so items added together share one statement', async () => {
    const sender = recordingSender();
    const batcher = new StatementBatcher(engine('pglite'), 100, sender.send);
    for (const item of [1, 2, 3, 4]) batcher.add(item);
    await new Promise((resolve) => setImmediate(resolve));
    await sender.releaseAll();
    expect(sender.batches).toEqual([[1, 2, 3, 4]]);
  });

  it('splits at maxBatch and keeps going after a sender that rejected', async () => {
    const sender = recordingSender({ failFirst: true });
    const batcher = new StatementBatcher(engine('pglite'), 2, sender.send);
    for (const item of [1, 2, 3, 4, 5]) batcher.add(item);
    await new Promise((resolve) => setImmediate(resolve));
    await sender.releaseAll();
    expect(sender.batches).toEqual([[1, 2], [3, 4], [5]]);
    batcher.add(6);
    await new Promise((resolve) => setImmediate(resolve));
    await sender.releaseAll();
    expect(sender.batches.at(-1)).toEqual([6]);
  });
});
