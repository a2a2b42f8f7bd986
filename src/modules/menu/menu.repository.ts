import { and, eq, notInArray, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { menuItems } from '../../db/schema/index.js';
import type { Menu } from './menu.types.js';

/**
 * Mirrors the menu file into menu_items at start-up, so order lines can be joined to the menu in SQL.
 * Items no longer in the file are kept, marked inactive, because old orders still point at them.
 * sold_out only ever turns on here: a restart during lunch must not put back on sale what the owner marked
 * sold out, so an existing row keeps its flag unless the file marks the item sold out too.
 */
export async function syncMenu(db: Database, menu: Menu): Promise<void> {
  const rows = menu.items.map((item) => ({
    id: item.id,
    name: item.name,
    category: item.category,
    description: item.description,
    priceCents: item.priceCents,
    aliases: item.aliases,
    optionGroups: item.optionGroups,
    active: true,
    soldOut: item.soldOutInFile,
  }));
  await db.orm.transaction(async (tx) => {
    await tx
      .insert(menuItems)
      .values(rows)
      .onConflictDoUpdate({
        target: menuItems.id,
        set: {
          name: sql`excluded.name`,
          category: sql`excluded.category`,
          description: sql`excluded.description`,
          priceCents: sql`excluded.price_cents`,
          aliases: sql`excluded.aliases`,
          optionGroups: sql`excluded.option_groups`,
          active: sql`true`,
          soldOut: sql`${menuItems.soldOut} or excluded.sold_out`,
          updatedAt: sql`now()`,
        },
      });
    await tx
      .update(menuItems)
      .set({ active: false, updatedAt: sql`now()` })
      .where(
        notInArray(
          menuItems.id,
          rows.map((r) => r.id),
        ),
      );
  });
}

/** The owner's sold-out flags in menu_items: the copy every API process reads (menu-availability.ts). */
export class SoldOutRepository {
  constructor(private readonly db: Database) {}

  /** Ids of the active items marked sold out. */
  async soldOutIds(): Promise<string[]> {
    const rows = await this.db.orm
      .select({ id: menuItems.id })
      .from(menuItems)
      .where(and(eq(menuItems.soldOut, true), eq(menuItems.active, true)));
    return rows.map((r) => r.id);
  }

  /** Flags one active item; false when there is no such active row (unknown, or dropped from the menu). */
  async setSoldOut(itemId: string, soldOut: boolean): Promise<boolean> {
    const rows = await this.db.orm
      .update(menuItems)
      .set({ soldOut, updatedAt: sql`now()` })
      .where(and(eq(menuItems.id, itemId), eq(menuItems.active, true)))
      .returning({ id: menuItems.id });
    return rows.length > 0;
  }
}
