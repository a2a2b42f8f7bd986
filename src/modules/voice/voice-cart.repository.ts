// The cart of each call in PostgreSQL: every API process (and one restarted mid-call) sees the same cart, and
// a change is read-modify-write under a row lock, so two tool calls of one call never lose each other's line.
import { eq, lt, or } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { type CartLineRecord, voiceCarts } from '../../db/schema/index.js';

export type CartLine = CartLineRecord;

export interface Cart {
  lines: CartLine[];
  /** The order placed from this cart, until it is cancelled. */
  placedOrderId: number | null;
  /** How many orders of this call were cancelled: part of the next order's idempotency key. */
  orderRound: number;
}

/** Calls last at most 15 minutes (the assistant's maxDurationSeconds); a cart idle this long is abandoned. */
export const CART_IDLE_MS = 2 * 60 * 60 * 1000;

const EMPTY: Cart = { lines: [], placedOrderId: null, orderRound: 0 };

export class VoiceCartRepository {
  constructor(
    private readonly db: Database,
    private readonly idleMs = CART_IDLE_MS,
  ) {}

  /** The call's cart; an empty one when there is none or it was abandoned. */
  async find(callId: string): Promise<Cart> {
    const [row] = await this.db.orm.select().from(voiceCarts).where(eq(voiceCarts.callId, callId));
    return row && !this.abandoned(row.updatedAt) ? toCart(row) : emptyCart();
  }

  /**
   * Applies `change` to the call's cart under a row lock and stores what it returns as `cart`; `answer` is
   * handed back. A change that returns no cart stores nothing.
   */
  async change<T>(callId: string, change: (cart: Cart) => { cart?: Cart; answer: T }): Promise<T> {
    return this.db.orm.transaction(async (tx) => {
      await tx
        .insert(voiceCarts)
        .values({ callId, lines: [], placedOrderId: null, orderRound: 0 })
        .onConflictDoNothing();
      const [row] = await tx.select().from(voiceCarts).where(eq(voiceCarts.callId, callId)).for('update');
      const current = row && !this.abandoned(row.updatedAt) ? toCart(row) : emptyCart();
      const { cart, answer } = change(current);
      if (cart) {
        await tx
          .update(voiceCarts)
          .set({
            lines: cart.lines,
            placedOrderId: cart.placedOrderId,
            orderRound: cart.orderRound,
            updatedAt: new Date(),
          })
          .where(eq(voiceCarts.callId, callId));
      }
      return answer;
    });
  }

  /** The call ended: its cart goes, and so does any cart abandoned without an end-of-call report. */
  async delete(callId: string): Promise<void> {
    await this.db.orm
      .delete(voiceCarts)
      .where(or(eq(voiceCarts.callId, callId), lt(voiceCarts.updatedAt, new Date(Date.now() - this.idleMs))));
  }

  private abandoned(updatedAt: Date): boolean {
    return Date.now() - updatedAt.getTime() > this.idleMs;
  }
}

function toCart(row: typeof voiceCarts.$inferSelect): Cart {
  return { lines: row.lines, placedOrderId: row.placedOrderId, orderRound: row.orderRound };
}

function emptyCart(): Cart {
  return { ...EMPTY, lines: [] };
}
