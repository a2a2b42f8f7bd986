// Idempotency claims. Claiming is on every order's path, so claims are batched naturally (StatementBatcher):
// under light load a batch of one with no added delay, under a rush one commit for many orders.
import type { Database, SqlStatement } from '../../db/client.js';
import { StatementBatcher } from '../../db/statement-batcher.js';

const CLAIM_MANY: SqlStatement = {
  name: 'idempotency_claim_many',
  text: `INSERT INTO idempotency_keys (key, scope, request_hash)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
    ON CONFLICT (key) DO NOTHING RETURNING key`,
};

/** A claim with no order after this long belongs to a process that died mid-payment; a retry may resume it. */
export const ABANDONED_AFTER_SECONDS = 30;

/**
 * The scope of a key whose payment was refunded because its order was never written (see retire): no order
 * can be written under it any more, and a retry is told to order again under a new key.
 */
export const REFUNDED_SCOPE = 'refunded';

const FIND_CLAIM: SqlStatement = {
  name: 'idempotency_find',
  text: `SELECT request_hash, order_id, scope, claimed_at < now() - make_interval(secs => $2) AS abandoned
    FROM idempotency_keys WHERE key = $1`,
};

/** Re-claims a key whose order was never written, once its holder has been silent long enough. */
const TAKE_OVER: SqlStatement = {
  name: 'idempotency_take_over',
  text: `UPDATE idempotency_keys SET claimed_at = now()
    WHERE key = $1 AND order_id IS NULL AND scope <> '${REFUNDED_SCOPE}'
      AND claimed_at < now() - make_interval(secs => $2) RETURNING key`,
};

/** Frees a claim whose payment outcome is unknown, so the client's retry runs again under the same key. */
const RELEASE: SqlStatement = {
  name: 'idempotency_release',
  text: `DELETE FROM idempotency_keys WHERE key = $1 AND order_id IS NULL AND scope <> '${REFUNDED_SCOPE}'`,
};

/**
 * Retires a key whose charge has no order: no claim at all (freed after a provider timeout, never retried),
 * an abandoned one, or one retired before (a redelivered event). A claim still in progress, or with its
 * order, is left alone and no row comes back.
 */
const RETIRE: SqlStatement = {
  name: 'idempotency_retire',
  text: `INSERT INTO idempotency_keys AS c (key, scope, request_hash) VALUES ($1, '${REFUNDED_SCOPE}', '-')
    ON CONFLICT (key) DO UPDATE SET scope = '${REFUNDED_SCOPE}'
      WHERE c.order_id IS NULL
        AND (c.scope = '${REFUNDED_SCOPE}' OR c.claimed_at < now() - make_interval(secs => $2))
    RETURNING key`,
};

const MAX_BATCH = 500;

interface PendingClaim {
  key: string;
  scope: string;
  requestHash: string;
  resolve(claimed: boolean): void;
  reject(error: unknown): void;
}

export interface ExistingClaim {
  requestHash: string;
  orderId: number | null;
  /** No order yet and no sign of life from the claimant for the given time. */
  abandoned: boolean;
  /** Retired: its charge was refunded because no order was ever written (see retire). */
  refunded: boolean;
}

export class IdempotencyRepository {
  private readonly claims: StatementBatcher<PendingClaim>;

  constructor(private readonly db: Database) {
    this.claims = new StatementBatcher(db, MAX_BATCH, (batch) => this.claimMany(batch));
  }

  /** True when this caller now owns `key`; false when it was already claimed. */
  claim(key: string, scope: string, requestHash: string): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.claims.add({ key, scope, requestHash, resolve, reject });
    });
  }

  async find(key: string, abandonedAfterSeconds: number): Promise<ExistingClaim | null> {
    const [row] = await this.db.query<{
      request_hash: string;
      order_id: number | null;
      scope: string;
      abandoned: boolean;
    }>(FIND_CLAIM, [key, abandonedAfterSeconds]);
    return row
      ? {
          requestHash: row.request_hash,
          orderId: row.order_id,
          abandoned: row.abandoned,
          refunded: row.scope === REFUNDED_SCOPE,
        }
      : null;
  }

  /**
   * Marks `key` as one whose charge is being refunded because its order was never written; false when the
   * key has an order or a claimant still at work. Its writers and takeovers skip it from then on.
   */
  async retire(key: string, abandonedAfterSeconds: number): Promise<boolean> {
    return (await this.db.query(RETIRE, [key, abandonedAfterSeconds])).length > 0;
  }

  async takeOver(key: string, abandonedAfterSeconds: number): Promise<boolean> {
    return (await this.db.query(TAKE_OVER, [key, abandonedAfterSeconds])).length > 0;
  }

  async release(key: string): Promise<void> {
    await this.db.query(RELEASE, [key]);
  }

  private async claimMany(claims: PendingClaim[]): Promise<void> {
    try {
      const rows = await this.db.query<{ key: string }>(CLAIM_MANY, [
        claims.map((c) => c.key),
        claims.map((c) => c.scope),
        claims.map((c) => c.requestHash),
      ]);
      const won = new Set(rows.map((r) => r.key));
      // The same key twice in one batch: only its first claimant owns it.
      for (const claim of claims) claim.resolve(won.delete(claim.key));
    } catch (error) {
      for (const claim of claims) claim.reject(error);
    }
  }
}
