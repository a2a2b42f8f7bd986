// In-process notifications after an order is written: the export queue and the live dashboard subscribe.
// Listeners run after the reply is decided and must never break the order path.
import type { OrderView } from './orders.schemas.js';

export type OrderEvent =
  | { type: 'order.created'; order: OrderView }
  | { type: 'order.updated'; order: OrderView }
  /** Written to their day's workbook (by this process's export worker). */
  | { type: 'order.exported'; ids: number[] };
export type OrderListener = (event: OrderEvent) => void;

export class OrderEvents {
  private readonly listeners = new Set<OrderListener>();

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  subscribe(listener: OrderListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: OrderEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
