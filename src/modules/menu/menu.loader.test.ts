import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMenuFile, parseMenu } from './menu.loader.js';
import { MenuCatalog } from './menu.matcher.js';

const defaultMenuPath = fileURLToPath(new URL('../../../menu/default-menu.json', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'menu-loader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeMenu(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const validItem = (overrides: Record<string, unknown> = {}) => ({
  id: 'coke',
  name: 'Coke',
  price: 2.99,
  category: 'Drinks',
  ...overrides,
});

/** The message of the error `action` throws, so tests can assert on every listed problem. */
async function errorMessage(action: () => Promise<unknown>): Promise<string> {
  try {
    await action();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the menu to be rejected');
}

describe('the default menu', () => {
  it('loads with the seed items in cents', async () => {
    const menu = await loadMenuFile(defaultMenuPath);
    expect(menu.currency).toBe('usd');
    expect(menu.items.length).toBeGreaterThanOrEqual(18);
    expect(menu.items.length).toBeLessThanOrEqual(26);
    expect(menu.items.find((i) => i.id === 'pizza-margherita')).toMatchObject({
      name: 'Pizza Margherita',
      priceCents: 1499,
      category: 'Pizza',
    });
    expect(menu.items.find((i) => i.id === 'coke')).toMatchObject({ name: 'Coke', priceCents: 299 });
    expect(menu.categories).toEqual(['Pizza', 'Calzones', 'Sides', 'Salads', 'Desserts', 'Drinks']);
  });

  it('gives pizzas size, topping and crust groups with Small cheaper and Large dearer', async () => {
    const menu = await loadMenuFile(defaultMenuPath);
    const pizza = menu.items.find((i) => i.id === 'pizza-margherita');
    expect(pizza?.optionGroups.map((g) => [g.id, g.minChoices, g.maxChoices])).toEqual([
      ['size', 0, 1],
      ['toppings', 0, 5],
      ['crust', 0, 1],
    ]);
    const size = pizza?.optionGroups[0]?.options.map((o) => [o.id, o.priceDeltaCents]);
    expect(size).toEqual([
      ['small', -200],
      ['medium', 0],
      ['large', 400],
    ]);
  });

  it('builds a catalog without name collisions', async () => {
    expect(
      () => new MenuCatalog(parseMenu({ currency: 'usd', items: [validItem()] }, 'inline')),
    ).not.toThrow();
    const catalog = new MenuCatalog(await loadMenuFile(defaultMenuPath));
    expect(catalog.findItem('coca cola')?.id).toBe('coke');
  });
});

describe('parseMenu', () => {
  it('converts dollars to cents and fills defaults', () => {
    const menu = parseMenu(
      {
        currency: 'usd',
        items: [
          validItem({
            option_groups: [
              {
                id: 'size',
                name: 'Size',
                min: 0,
                max: 1,
                options: [{ id: 'big', name: 'Big', price_delta: 0.1 }],
              },
            ],
          }),
        ],
      },
      'inline',
    );
    expect(menu.items[0]).toEqual({
      id: 'coke',
      name: 'Coke',
      priceCents: 299,
      category: 'Drinks',
      description: '',
      aliases: [],
      soldOutInFile: false,
      optionGroups: [
        {
          id: 'size',
          name: 'Size',
          minChoices: 0,
          maxChoices: 1,
          options: [{ id: 'big', name: 'Big', priceDeltaCents: 10, aliases: [] }],
        },
      ],
    });
  });

  it('lists every problem with its JSON path and the file path', async () => {
    const path = await writeMenu('bad.json', {
      currency: 'eur',
      items: [
        validItem({ price: 14.999 }),
        validItem({ id: 'coke', name: 'Cola', price: -1 }),
        validItem({ id: 'sprite', name: 'Sprite', aliases: ['COKE!'] }),
        validItem({
          id: 'pizza',
          name: 'Pizza',
          option_groups: [
            {
              id: 'size',
              name: 'Size',
              min: 2,
              max: 1,
              options: [{ id: 'l', name: 'Large', price_delta: 1.001 }],
            },
          ],
        }),
        validItem({ id: 'fries', name: 'Fries', extra: true }),
      ],
    });
    const message = await errorMessage(() => loadMenuFile(path));
    expect(message).toContain(`Invalid menu file ${path}`);
    for (const expected of [
      'currency:',
      'items[0].price: must be dollars with at most 2 decimals',
      'items[1].price: must not be negative',
      'items[1].id: duplicate id "coke" (also items[0])',
      'items[2].aliases[0]: "COKE!" already names items[0] (Coke)',
      'items[3].option_groups[0].min: min 2 > max 1',
      'items[3].option_groups[0].options[0].price_delta: must be dollars with at most 2 decimals',
      'items[4]: Unrecognized key: "extra"',
    ]) {
      expect(message).toContain(expected);
    }
    expect(message).toContain('(8 problems)');
  });

  it('reports collisions even when another item has a type error', () => {
    const message = (() => {
      try {
        parseMenu(
          { currency: 'usd', items: [validItem(), validItem({ id: 'cola', name: 'coke' }), { id: 7 }] },
          'menu.json',
        );
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(message).toContain('items[1].name: "coke" already names items[0] (Coke)');
    expect(message).toContain('items[2].id:');
    expect(message).toContain('items[2].name:');
  });

  it('reads an optional sold_out flag per item', () => {
    const menu = parseMenu(
      {
        currency: 'usd',
        items: [validItem({ sold_out: true }), validItem({ id: 'sprite', name: 'Sprite' })],
      },
      'inline',
    );
    expect(menu.items.map((i) => [i.id, i.soldOutInFile])).toEqual([
      ['coke', true],
      ['sprite', false],
    ]);
    expect(new MenuCatalog(menu).isSoldOut('coke')).toBe(true);
  });

  it('refuses a sold_out that is not a JSON boolean, naming the item', () => {
    const menu = {
      currency: 'usd',
      items: [
        validItem({ sold_out: 'yes' }),
        validItem({ id: 'sprite', name: 'Sprite', sold_out: 0 }),
        validItem({ id: 'fanta', name: 'Fanta', sold_out: null }),
      ],
    };
    const message = (() => {
      try {
        parseMenu(menu, 'm.json');
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(message).toContain('(3 problems)');
    expect(message).toContain('items[0].sold_out: must be true or false, not "yes"');
    expect(message).toContain('items[1].sold_out: must be true or false, not 0');
    expect(message).toContain('items[2].sold_out: must be true or false, not null');
  });

  it('checks option groups against their options', () => {
    const group = (min: number, max: number) => ({
      currency: 'usd',
      items: [
        validItem({
          option_groups: [{ id: 'g', name: 'G', min, max, options: [{ id: 'a', name: 'A' }] }],
        }),
      ],
    });
    expect(() => parseMenu(group(0, 2), 'm.json')).toThrow(
      'items[0].option_groups[0].max: max 2 > number of options (1)',
    );
    expect(() => parseMenu(group(1, 1), 'm.json')).not.toThrow();
  });

  it('refuses an option name used twice within one item', () => {
    const menu = {
      currency: 'usd',
      items: [
        validItem({
          option_groups: [
            { id: 'size', name: 'Size', min: 0, max: 1, options: [{ id: 'large', name: 'Large' }] },
            {
              id: 'cup',
              name: 'Cup',
              min: 0,
              max: 1,
              options: [{ id: 'big', name: 'Big', aliases: ['large'] }],
            },
          ],
        }),
      ],
    };
    expect(() => parseMenu(menu, 'm.json')).toThrow(
      'items[0].option_groups[1].options[0].aliases[0]: "large" is already used by option_groups[0].options[0]',
    );
  });

  it('refuses an item whose cheapest choice of options costs nothing', () => {
    const menu = {
      currency: 'usd',
      items: [
        validItem({
          price: 2,
          option_groups: [
            {
              id: 'size',
              name: 'Size',
              min: 0,
              max: 1,
              options: [{ id: 'small', name: 'Small', price_delta: -2 }],
            },
          ],
        }),
      ],
    };
    expect(() => parseMenu(menu, 'm.json')).toThrow(/items\[0\]\.price: the cheapest .* costs 0 cents/);
  });

  it('reports malformed JSON and missing files with the path', async () => {
    const path = await writeMenu('broken.json', '{ "currency": "usd", ');
    await expect(loadMenuFile(path)).rejects.toThrow(`Invalid menu file ${path}: not valid JSON`);
    await expect(loadMenuFile(join(dir, 'missing.json'))).rejects.toThrow(/ENOENT/);
    expect(() => parseMenu([], 'list.json')).toThrow(/Invalid menu file list\.json/);
  });
});
