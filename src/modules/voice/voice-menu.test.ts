import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { cents } from '../../shared/money.js';
import { parseOpeningHours } from '../hours/opening-hours.js';
import { loadMenuFile } from '../menu/menu.loader.js';
import { MenuCatalog } from '../menu/menu.matcher.js';
import type { MenuView } from '../menu/menu.schemas.js';
import { MenuService } from '../menu/menu.service.js';
import { describeItem, describeMenu } from './voice-menu.js';

const defaultMenuPath = fileURLToPath(new URL('../../../menu/default-menu.json', import.meta.url));
const ZONE = 'America/New_York';

let catalog: MenuCatalog;
let service: MenuService;
beforeEach(async () => {
  const menu = await loadMenuFile(defaultMenuPath);
  catalog = new MenuCatalog(menu);
  service = new MenuService(
    {
      name: 'AI Pizza Palace',
      catalog,
      hours: parseOpeningHours(undefined, ZONE),
      pricing: { taxRatePpm: 88_750, deliveryFeeCents: cents(599) },
      zone: { center: { lat: 40.7505, lng: -73.9934 }, radiusKm: 5 },
    },
    menu.categories,
  );
});

function item(id: string): MenuView['items'][number] {
  const found = service.view().items.find((i) => i.id === id);
  if (!found) throw new Error(`default menu lacks ${id}`);
  return found;
}

describe('describeItem', () => {
  it('says name, price, description and every option group of the item', () => {
    const line = describeItem(item('chicken-wings'));
    expect(line).toBe(
      'Chicken Wings, $11.99. Ten crispy wings with celery and blue cheese. ' +
        'Options: Wing Sauce (choose 1): Buffalo, BBQ, Garlic Parmesan, Honey Hot +$0.50.',
    );
    const pizza = describeItem(item('veggie-pizza'));
    expect(pizza).toMatch(
      /^Veggie Pizza, \$16\.49\. Mushrooms, green peppers, .*\. Options: Size \(up to 1\)/,
    );
    expect(pizza).toContain('; Extra Toppings (up to 5): Extra Cheese +$1.50,');
    expect(pizza).toContain('; Crust (up to 1): Thin Crust, Thick Crust +$1.00, Gluten-Free Crust +$3.00.');
  });

  it('leaves out options an item does not have', () => {
    expect(describeItem(item('tiramisu'))).toBe(
      'Tiramisu, $6.99. Espresso-soaked ladyfingers with mascarpone cream.',
    );
  });

  it('says a sold-out item is sold out today, with its description but no price or options', () => {
    catalog.setSoldOut(['veggie-pizza']);
    expect(describeItem(item('veggie-pizza'))).toBe(
      'Veggie Pizza is sold out today. Mushrooms, green peppers, red onions, black olives and tomatoes.',
    );
    const bare = { ...item('veggie-pizza'), description: '' };
    expect(describeItem(bare)).toBe('Veggie Pizza is sold out today.');
  });

  it('ends a description without a full stop with one', () => {
    const plain = { ...item('tiramisu'), description: 'House made' };
    expect(describeItem(plain)).toBe('Tiramisu, $6.99. House made.');
  });
});

describe('describeMenu', () => {
  it('marks sold-out items and keeps them listed', () => {
    expect(describeMenu(service.view('pizza'), ZONE)).not.toContain('sold out');
    catalog.setSoldOut(['veggie-pizza']);
    const line = describeMenu(service.view('pizza'), ZONE);
    expect(line).toContain('Hawaiian Pizza $16.99, Veggie Pizza $16.49 (sold out today), BBQ Chicken Pizza');
    expect(line.match(/sold out/g)).toHaveLength(1);
  });
});
