import { boolean, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The menu as last loaded from MENU_FILE, so reports and ad-hoc SQL can join order lines to it. The running
 * service prices from its in-memory copy of the file; items dropped from the file stay here as inactive.
 */
export const menuItems = pgTable('menu_items', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  category: text('category').notNull(),
  description: text('description').notNull().default(''),
  priceCents: integer('price_cents').notNull(),
  aliases: text('aliases').array().notNull(),
  optionGroups: jsonb('option_groups').notNull(),
  active: boolean('active').notNull().default(true),
  /** Set from the dashboard (PATCH /api/menu/items/{id}) or the menu file; voice tools leave it out. */
  soldOut: boolean('sold_out').notNull().default(false),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
