// The in-memory copy of the sold-out flags and how it follows the table. The table is an in-memory store
// here, so a test can hold a read open at the moment a write lands; test/integration/menu-sold-out.test.ts
// covers the same flows on the real database and app.
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../errors.js';
import { MenuAvailability, type SoldOutStore } from './menu-availability.js';
import { loadMenuFile } from './menu.loader.js';
import { MenuCatalog } from './menu.matcher.js';
import type { Menu } from './menu.types.js';

const defaultMenuPath = fileURLToPath(new URL('../../../menu/default-menu.json', import.meta.url));

/** menu_items.sold_out for the active ids, with a way to hold the next read until the test lets it go. */
class TableStore implements SoldOutStore {
  readonly flags = new Set<string>();
  failReads = false;
  private gate: Promise<void> | null = null;

  constructor(private readonly active: readonly string[]) {}

  /** The next read takes its snapshot now but answers only when the returned function is called. */
  holdNextRead(): () => void {
    let release = () => {};
    this.gate = new Promise<void>((resolve) => (release = resolve));
    return () => release();
  }

  async soldOutIds(): Promise<string[]> {
    const snapshot = [...this.flags];
    const gate = this.gate;
    this.gate = null;
    if (gate) await gate;
    if (this.failReads) throw new Error('database down');
    return snapshot;
  }

  async setSoldOut(itemId: string, soldOut: boolean): Promise<boolean> {
    if (!this.active.includes(itemId)) return false;
    if (soldOut) this.flags.add(itemId);
    else this.flags.delete(itemId);
    return true;
  }
}

let menu: Menu;
beforeAll(async () => {
  menu = await loadMenuFile(defaultMenuPath);
});

const running: MenuAvailability[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

function setUp(options: { refreshMs?: number; active?: string[] } = {}) {
  const catalog = new MenuCatalog(menu);
  const store = new TableStore(options.active ?? menu.items.map((i) => i.id));
  const errors: unknown[] = [];
  const availability = new MenuAvailability(catalog, store, {
    refreshMs: options.refreshMs ?? 60_000,
    onRefreshError: (error) => errors.push(error),
  });
  running.push(availability);
  return { catalog, store, availability, errors };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('MenuAvailability', () => {
  it('loads the flags at start and applies a write at once', async () => {
    const { catalog, store, availability } = setUp();
    store.flags.add('cannoli');
    await availability.start();
    expect(catalog.isSoldOut('cannoli')).toBe(true);

    await availability.setSoldOut('veggie-pizza', true);
    expect(store.flags.has('veggie-pizza')).toBe(true);
    expect(catalog.isSoldOut('veggie-pizza')).toBe(true);
    expect(catalog.isSoldOut('cannoli')).toBe(true);

    await availability.setSoldOut('veggie-pizza', false);
    expect(catalog.isSoldOut('veggie-pizza')).toBe(false);
  });

  it('refuses an id not on this menu, or no longer active in the table', async () => {
    const { catalog, availability } = setUp({ active: ['coke'] });
    await availability.start();
    await expect(availability.setSoldOut('lasagna', true)).rejects.toBeInstanceOf(NotFoundError);
    await expect(availability.setSoldOut('sprite', true)).rejects.toMatchObject({
      status: 404,
      code: 'menu_item_not_found',
      message: 'There is no menu item "sprite".',
    });
    expect(catalog.isSoldOut('sprite')).toBe(false);
  });

  it("picks up another process's change on refresh(), and on its own within the interval", async () => {
    const { catalog, store, availability } = setUp({ refreshMs: 20 });
    await availability.start();
    store.flags.add('tiramisu');
    await availability.refresh();
    expect(catalog.isSoldOut('tiramisu')).toBe(true);
    store.flags.delete('tiramisu');
    await until(() => !catalog.isSoldOut('tiramisu'));
    expect(catalog.isSoldOut('tiramisu')).toBe(false);
  });

  it('does not let a read taken before a write undo it', async () => {
    const { catalog, store, availability } = setUp();
    await availability.start();
    const release = store.holdNextRead();
    const refreshing = availability.refresh();
    await availability.setSoldOut('coke', true);
    release();
    await refreshing;
    expect(catalog.isSoldOut('coke')).toBe(true);
  });

  it('keeps the last flags when a background refresh fails, and reports it', async () => {
    const { catalog, store, availability, errors } = setUp({ refreshMs: 10 });
    store.flags.add('coke');
    await availability.start();
    store.failReads = true;
    await until(() => errors.length > 0);
    expect(errors[0]).toMatchObject({ message: 'database down' });
    expect(catalog.isSoldOut('coke')).toBe(true);
  });

  it('stops refreshing on stop()', async () => {
    const { catalog, store, availability } = setUp({ refreshMs: 10 });
    await availability.start();
    await availability.stop();
    store.flags.add('coke');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(catalog.isSoldOut('coke')).toBe(false);
  });
});
