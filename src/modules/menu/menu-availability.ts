// Which menu items are sold out today. menu_items.sold_out is the copy every API process shares; pricing
// reads the in-memory copy on MenuCatalog (one Set lookup per order line, no query). This module keeps that
// copy current: loaded at start-up, changed at once by a write in this process, and re-read every few
// seconds so that a change made through another process arrives here within that time.
import { NotFoundError } from '../../errors.js';
import type { MenuCatalog } from './menu.matcher.js';

/** Where the flags live (SoldOutRepository over menu_items). */
export interface SoldOutStore {
  soldOutIds(): Promise<string[]>;
  /** False when there is no active item with that id. */
  setSoldOut(itemId: string, soldOut: boolean): Promise<boolean>;
}

export interface MenuAvailabilityOptions {
  /** How often the flags are re-read; how long another process may lag behind a change. */
  refreshMs?: number;
  /** A failed background refresh keeps the last known flags; this only reports it. */
  onRefreshError: (error: unknown) => void;
}

const DEFAULT_REFRESH_MS = 5_000;
// A refresh that overlapped a write is read again; under a stream of writes, give up and keep the writes.
const MAX_REFRESH_READS = 3;

export function menuItemNotFound(itemId: string): NotFoundError {
  return new NotFoundError('menu_item_not_found', `There is no menu item "${itemId}".`);
}

export class MenuAvailability {
  private timer: NodeJS.Timeout | null = null;
  private tick: Promise<void> | null = null;
  // Counts this process's writes, so a refresh that read the table before a write cannot undo it in memory.
  private writes = 0;

  constructor(
    private readonly catalog: MenuCatalog,
    private readonly store: SoldOutStore,
    private readonly options: MenuAvailabilityOptions,
  ) {}

  /** Loads the flags (a failure stops start-up, like any other database problem) and starts refreshing. */
  async start(): Promise<void> {
    await this.refresh();
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.refreshInBackground(), this.options.refreshMs ?? DEFAULT_REFRESH_MS);
    // Never the reason a process stays alive.
    this.timer.unref();
  }

  /** Stops refreshing and waits for a refresh in flight, so none runs after the database closes. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.tick;
  }

  /** Re-reads the flags now, for a caller that must see another process's change at once. */
  async refresh(): Promise<void> {
    for (let read = 0; read < MAX_REFRESH_READS; read++) {
      const writesBefore = this.writes;
      const ids = await this.store.soldOutIds();
      if (writesBefore !== this.writes) continue;
      this.catalog.setSoldOut(ids);
      return;
    }
  }

  /** Writes the flag for everyone, and applies it in this process before answering. */
  async setSoldOut(itemId: string, soldOut: boolean): Promise<void> {
    // An item this process cannot sell is not on its menu, whatever the table still holds for it.
    if (this.catalog.getById(itemId) === undefined) throw menuItemNotFound(itemId);
    if (!(await this.store.setSoldOut(itemId, soldOut))) throw menuItemNotFound(itemId);
    this.writes++;
    const ids: string[] = [];
    for (const item of this.catalog.items) {
      if (item.id === itemId ? soldOut : this.catalog.isSoldOut(item.id)) ids.push(item.id);
    }
    this.catalog.setSoldOut(ids);
  }

  private refreshInBackground(): void {
    // A slow database must not stack up reads: skip this beat while the last one is still running.
    if (this.tick !== null) return;
    this.tick = this.refresh()
      .catch((error: unknown) => this.options.onRefreshError(error))
      .finally(() => {
        this.tick = null;
      });
  }
}
