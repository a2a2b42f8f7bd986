import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { cents } from '../../shared/money.js';
import { parseOpeningHours } from '../hours/opening-hours.js';
import type { Restaurant } from '../orders/order-preparation.js';
import { loadMenuFile } from './menu.loader.js';
import { MenuCatalog } from './menu.matcher.js';
import { MenuService } from './menu.service.js';

const defaultMenuPath = fileURLToPath(new URL('../../../menu/default-menu.json', import.meta.url));

let catalog: MenuCatalog;
let service: MenuService;
beforeEach(async () => {
  const menu = await loadMenuFile(defaultMenuPath);
  catalog = new MenuCatalog(menu);
  const restaurant: Restaurant = {
    name: 'AI Pizza Palace',
    catalog,
    hours: parseOpeningHours(undefined, 'America/New_York'),
    pricing: { taxRatePpm: 88_750, deliveryFeeCents: cents(599) },
    zone: { center: { lat: 40.7505, lng: -73.9934 }, radiusKm: 5 },
  };
  service = new MenuService(restaurant, menu.categories);
});

const soldOutIds = (items: { id: string; sold_out: boolean }[]) =>
  items.filter((i) => i.sold_out).map((i) => i.id);

describe('MenuService', () => {
  it('shows the sold-out flags as they are at each call', () => {
    expect(soldOutIds(service.view().items)).toEqual([]);
    catalog.setSoldOut(['veggie-pizza', 'cannoli']);
    expect(soldOutIds(service.view().items)).toEqual(['veggie-pizza', 'cannoli']);
    expect(soldOutIds(service.view('desserts').items)).toEqual(['cannoli']);
    expect(service.view('desserts').items.every((i) => i.category === 'Desserts')).toBe(true);
    catalog.setSoldOut([]);
    expect(soldOutIds(service.view().items)).toEqual([]);
  });

  it('shows one item as the menu does, or 404 naming the id', () => {
    catalog.setSoldOut(['coke']);
    const coke = service.item('coke');
    expect(coke).toMatchObject({ id: 'coke', name: 'Coke', price: 2.99, sold_out: true });
    expect(coke).toEqual(service.view().items.find((i) => i.id === 'coke'));
    expect(() => service.item('lasagna')).toThrow(
      expect.objectContaining({
        status: 404,
        code: 'menu_item_not_found',
        message: expect.stringContaining('"lasagna"'),
      }),
    );
  });
});
