import { notInArray, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { menuItems } from '../../db/schema/index.js';
import type { Menu } from './menu.types.js';

/**
 * Mirrors the menu file into menu_items at start-up, so order lines can be joined to the menu in SQL.
 * Items no longer in the file are kept, marked inactive, because old orders still point at them.
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
