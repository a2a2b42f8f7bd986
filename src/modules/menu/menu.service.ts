import { centsToDollars } from '../../shared/money.js';
import { describeWeeklyHours, isOpenAt, nextOpeningAt } from '../hours/opening-hours.js';
import type { Restaurant } from '../orders/order-preparation.js';
import type { MenuView } from './menu.schemas.js';
import type { MenuItem } from './menu.types.js';

type MenuItemView = MenuView['items'][number];

/** The public menu: built once (the menu is fixed while the process runs); only "open now" is computed per call. */
export class MenuService {
  private readonly items: MenuItemView[];
  private readonly hoursText: string;

  constructor(
    private readonly restaurant: Restaurant,
    private readonly categories: readonly string[],
  ) {
    this.items = restaurant.catalog.items.map(toMenuItemView);
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
      items: wanted ? this.items.filter((i) => i.category.toLowerCase() === wanted) : this.items,
    };
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
  };
}
