import { Type } from 'typebox';
import { Dollars, Nullable } from '../../http/schemas/common.js';

const MenuOptionView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  price_delta: Dollars('Added to the item price'),
  aliases: Type.Array(Type.String()),
});

const MenuOptionGroupView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  min_choices: Type.Integer(),
  max_choices: Type.Integer(),
  options: Type.Array(MenuOptionView),
});

export const MenuItemView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  price: Dollars('Base price'),
  category: Type.String(),
  description: Type.String(),
  aliases: Type.Array(Type.String()),
  option_groups: Type.Array(MenuOptionGroupView),
  sold_out: Type.Boolean({ description: 'Sold out today: orders for it are refused' }),
});

export const MenuView = Type.Object({
  restaurant: Type.String(),
  currency: Type.Literal('usd'),
  tax_rate: Type.Number({ description: 'e.g. 0.08875' }),
  delivery_fee: Dollars('Added to delivery orders'),
  open_now: Type.Boolean(),
  next_opening_at: Nullable(Type.String({ format: 'date-time' })),
  opening_hours: Type.String({ description: 'Weekly hours in the restaurant time zone' }),
  time_zone: Type.String(),
  categories: Type.Array(Type.String()),
  items: Type.Array(MenuItemView),
});
export type MenuView = Type.Static<typeof MenuView>;

export const MenuQuery = Type.Object({
  category: Type.Optional(
    Type.String({ maxLength: 60, description: 'Only this category (case-insensitive)' }),
  ),
});

export const MenuItemParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100, description: 'Menu item id, e.g. pizza-margherita' }),
});

export const MenuItemAvailabilityBody = Type.Object(
  { sold_out: Type.Boolean({ description: 'true: refuse orders for it today; false: back on sale' }) },
  { additionalProperties: false },
);
