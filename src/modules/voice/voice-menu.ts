// The menu as one spoken line for the get_menu tool: open or closed, then each category with its items and
// prices, and each distinct option group once (pizzas share sizes and toppings; saying them per item would
// double the line for nothing).
import { formatDollars } from '../../shared/money.js';
import type { MenuView } from '../menu/menu.schemas.js';

type Group = MenuView['items'][number]['option_groups'][number];

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
    const list = items.map((i) => `${i.name} ${formatDollars(Math.round(i.price * 100))}`).join(', ');
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
