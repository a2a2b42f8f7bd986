// The menu as one spoken line for the get_menu tool: open or closed, then each category with its items and
// prices, and each distinct option group once (pizzas share sizes and toppings; saying them per item would
// double the line for nothing). describeItem is the longer answer about one item.
import { formatDollars } from '../../shared/money.js';
import type { MenuView } from '../menu/menu.schemas.js';

type Item = MenuView['items'][number];
type Group = Item['option_groups'][number];

export function describeMenu(menu: MenuView, timeZone: string): string {
  const parts: string[] = [];
  if (menu.open_now) parts.push(`${menu.restaurant} is open now.`);
  else if (menu.next_opening_at) {
    const at = new Date(menu.next_opening_at).toLocaleString('en-US', {
      timeZone,
      weekday: 'long',
      hour: 'numeric',
      minute: '2-digit',
    });
    parts.push(`${menu.restaurant} is closed right now and opens again ${at}.`);
  }
  const categories = [...new Set(menu.items.map((i) => i.category))];
  for (const category of categories) {
    const items = menu.items.filter((i) => i.category === category);
    // Still listed, so the assistant can say so rather than claim the item does not exist.
    const list = items
      .map(
        (i) =>
          `${i.name} ${formatDollars(Math.round(i.price * 100))}${i.sold_out ? ' (sold out today)' : ''}`,
      )
      .join(', ');
    const groups = new Map<string, Group>();
    for (const item of items)
      for (const g of item.option_groups) groups.set(`${g.name}:${g.options.map((o) => o.id).join()}`, g);
    const options = [...groups.values()].map(describeGroup).join('; ');
    parts.push(`${category}: ${list}.${options ? ` Options: ${options}.` : ''}`);
  }
  if (menu.items.length === 0) parts.push('There is nothing on the menu in that category.');
  parts.push(
    `Tax is ${(menu.tax_rate * 100).toFixed(3).replace(/0+$/, '')}% of the food; delivery costs ${formatDollars(Math.round(menu.delivery_fee * 100))}, pickup is free.`,
  );
  return parts.join(' ');
}

/** "What's on the veggie pizza?": name, price, description and options, or that it is sold out today. */
export function describeItem(item: Item): string {
  const description = sentence(item.description);
  // Options and price would invite an order the kitchen cannot make today; the description still answers.
  if (item.sold_out) return [`${item.name} is sold out today.`, description].filter(Boolean).join(' ');
  const parts = [`${item.name}, ${formatDollars(Math.round(item.price * 100))}.`];
  if (description) parts.push(description);
  if (item.option_groups.length > 0)
    parts.push(`Options: ${item.option_groups.map(describeGroup).join('; ')}.`);
  return parts.join(' ');
}

/** A description ends with a full stop when read out before the next sentence; '' stays ''. */
function sentence(text: string): string {
  const trimmed = text.trim();
  return trimmed === '' || /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function describeGroup(group: Group): string {
  const options = group.options
    .map((o) =>
      o.price_delta === 0
        ? o.name
        : `${o.name} ${o.price_delta > 0 ? '+' : '-'}${formatDollars(Math.round(Math.abs(o.price_delta) * 100))}`,
    )
    .join(', ');
  const rule =
    group.min_choices > 0
      ? `choose ${group.min_choices === group.max_choices ? group.min_choices : `${group.min_choices}-${group.max_choices}`}`
      : `up to ${group.max_choices}`;
  return `${group.name} (${rule}): ${options}`;
}
