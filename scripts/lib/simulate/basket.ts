// What a customer orders: one to four different menu items with valid options (each option group's min and
// max respected), priced the way the menu says, so the simulation knows each order's total before sending it.
import type { MenuView } from '../../../src/modules/menu/menu.schemas.js';
import { type Cents, applyRate, cents, dollarsToCents, rateToPpm } from '../../../src/shared/money.js';
import { between, pick } from './customers.js';

type MenuItem = MenuView['items'][number];
type Random = () => number;

export interface BasketLine {
  item: MenuItem;
  quantity: number;
  /** Option names, as a person would say them ("Large", "Extra Cheese"). */
  options: string[];
  unitPriceCents: Cents;
}

export interface Basket {
  lines: BasketLine[];
  totalCents: Cents;
}

export function randomBasket(random: Random, menu: MenuView, delivery: boolean): Basket {
  const lineCount = Math.min(menu.items.length, pick(random, [1, 1, 2, 2, 2, 3, 3, 4]));
  const chosen = new Set<MenuItem>();
  while (chosen.size < lineCount) chosen.add(pick(random, menu.items));
  const lines = [...chosen].map((item) => randomLine(random, item));
  return { lines, totalCents: totalOf(menu, lines, delivery) };
}

function randomLine(random: Random, item: MenuItem): BasketLine {
  const quantity = pick(random, [1, 1, 1, 1, 2, 2, 3, 4]);
  const options: string[] = [];
  let unit = dollars(item.price);
  for (const group of item.option_groups) {
    const max = Math.min(group.max_choices, group.options.length, 3);
    const min = Math.min(group.min_choices, max);
    // Optional groups are left alone half the time, as most callers do.
    const count = min === 0 && random() < 0.5 ? 0 : between(random, min, max);
    const taken = new Set<(typeof group.options)[number]>();
    while (taken.size < count) taken.add(pick(random, group.options));
    for (const option of taken) {
      options.push(option.name);
      unit += dollars(option.price_delta);
    }
  }
  return { item, quantity, options, unitPriceCents: cents(unit) };
}

/** subtotal + round_half_up(subtotal × tax rate) + the delivery fee: DESIGN invariant 4, from the client's side. */
function totalOf(menu: MenuView, lines: BasketLine[], delivery: boolean): Cents {
  const subtotal = cents(lines.reduce((sum, l) => sum + l.unitPriceCents * l.quantity, 0));
  const tax = applyRate(subtotal, rateToPpm(menu.tax_rate));
  return cents(subtotal + tax + (delivery ? dollars(menu.delivery_fee) : 0));
}

function dollars(amount: number): number {
  const value = dollarsToCents(amount);
  if (value === null) throw new Error(`the menu has a price with more than two decimals: ${amount}`);
  return value;
}
