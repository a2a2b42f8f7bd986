import { centsToDollars } from '../../shared/money.js';
import { describeWeeklyHours, isOpenAt, nextOpeningAt } from '../hours/opening-hours.js';
import type { Restaurant } from '../orders/order-preparation.js';
import { menuItemNotFound } from './menu-availability.js';
import type { MenuView } from './menu.schemas.js';
import type { MenuItem } from './menu.types.js';

type MenuItemView = MenuView['items'][number];

/**
 * The public menu: built once (the menu is fixed while the process runs); "open now" and which items are
 * sold out are read per call, because the owner can flag an item at any moment.
 */
export class MenuService {
  // Both variants of each item are built up front so a view only picks one, never copies an item.
  private readonly items: Array<{ onSale: MenuItemView; soldOut: MenuItemView }>;
  private readonly hoursText: string;

  constructor(
    private readonly restaurant: Restaurant,
    private readonly categories: readonly string[],
  ) {
    this.items = restaurant.catalog.items.map((item) => {
      const view = toMenuItemView(item);
      return { onSale: view, soldOut: { ...view, sold_out: true } };
    });
    this.hoursText = describeWeeklyHours(restaurant.hours);
  }

  view(category?: string, now = new Date()): MenuView {
    const open = isOpenAt(this.restaurant.hours, now);
    const opening = open ? null : nextOpeningAt(this.restaurant.hours, now);
    const wanted = category?.trim().toLowerCase();
    return {
      restaurant: this.restaurant.name,
      currency: 'usd',
      tax_rate: this.restaurant.pricing.taxRatePpm / 1_000_000,
      delivery_fee: centsToDollars(this.restaurant.pricing.deliveryFeeCents),
      open_now: open,
      next_opening_at: opening ? opening.toISOString() : null,
      opening_hours: this.hoursText,
      time_zone: this.restaurant.hours.timeZone,
      categories: [...this.categories],
      items: this.currentItems(wanted),
    };
  }

  /** One item as GET /api/menu shows it. */
  item(id: string): MenuItemView {
    const found = this.items.find((i) => i.onSale.id === id);
    if (found === undefined) throw menuItemNotFound(id);
    return this.pick(found);
  }

  private currentItems(category: string | undefined): MenuItemView[] {
    const items: MenuItemView[] = [];
    for (const variants of this.items) {
      if (category === undefined || category === '' || variants.onSale.category.toLowerCase() === category) {
        items.push(this.pick(variants));
      }
    }
    return items;
  }

  private pick(variants: { onSale: MenuItemView; soldOut: MenuItemView }): MenuItemView {
    return this.restaurant.catalog.isSoldOut(variants.onSale.id) ? variants.soldOut : variants.onSale;
  }
}

function toMenuItemView(item: MenuItem): MenuItemView {
  return {
    id: item.id,
    name: item.name,
    price: centsToDollars(item.priceCents),
    category: item.category,
    description: item.description,
    aliases: item.aliases,
    option_groups: item.optionGroups.map((g) => ({
      id: g.id,
      name: g.name,
      min_choices: g.minChoices,
      max_choices: g.maxChoices,
      options: g.options.map((o) => ({
        id: o.id,
        name: o.name,
        price_delta: centsToDollars(o.priceDeltaCents),
        aliases: o.aliases,
      })),
    })),
    sold_out: false,
  };
}
