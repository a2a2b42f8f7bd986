import { describe, it, expect, beforeAll } from 'vitest';
import { fileURLToPath } from 'node:url';
import { cents } from '../../shared/money.js';
import { loadMenuFile } from './menu.loader.js';
import { MenuCatalog, levenshtein, normalizeName } from './menu.matcher.js';
import type { Menu, MenuItem } from './menu.types.js';

const defaultMenuPath = fileURLToPath(new URL('../../../menu/default-menu.json', import.meta.url));

let catalog: MenuCatalog;
beforeAll(async () => {
  catalog = new MenuCatalog(await loadMenuFile(defaultMenuPath));
});

function item(id: string): MenuItem {
  const found = catalog.getById(id);
  if (found === undefined) throw new Error(`default menu lacks ${id}`);
  return found;
}

describe('normalizeName', () => {
  it('lowercases, strips accents and collapses punctuation and spaces', () => {
    expect(normalizeName('  PIZZA  margherita! ')).toBe('pizza margherita');
    expect(normalizeName('pizza-margherita')).toBe('pizza margherita');
    expect(normalizeName('Jalapeños')).toBe('jalapenos');
    expect(normalizeName("Meat Lover's")).toBe('meat lovers');
    expect(normalizeName('Coca—Cola…')).toBe('coca cola');
  });
});

describe('MenuCatalog.findItem', () => {
  it.each(['Pizza Margherita', 'PIZZA  margherita!', 'pizza-margherita', 'margarita', 'Margherita Pizza'])(
    'finds Pizza Margherita from %j',
    (query) => {
      expect(catalog.findItem(query)?.id).toBe('pizza-margherita');
    },
  );

  it.each([
    ['coca-cola', 'coke'],
    ['Coca Cola', 'coke'],
    ['cokes', 'coke'],
    ['garlic knot', 'garlic-knots'],
    ['Garlic Knots', 'garlic-knots'],
    ['wing', 'chicken-wings'],
    ['diet coke', 'diet-coke'],
    ["meat lover's pizza", 'meat-lovers-pizza'],
  ])('maps %j to %s', (query, id) => {
    expect(catalog.findItem(query)?.id).toBe(id);
  });

  it('returns undefined for things not on the menu', () => {
    expect(catalog.findItem('hamburger')).toBeUndefined();
    expect(catalog.findItem('')).toBeUndefined();
    expect(catalog.findItem('!!!')).toBeUndefined();
  });

  it('looks items up by exact id', () => {
    expect(catalog.getById('coke')?.name).toBe('Coke');
    expect(catalog.getById('Coke')).toBeUndefined();
    expect(catalog.items.length).toBeGreaterThanOrEqual(18);
  });
});

describe('MenuCatalog.findOption', () => {
  it('finds options by id, name or alias, normalised', () => {
    const pepperoni = item('pepperoni-pizza');
    expect(catalog.findOption(pepperoni, 'large')?.option.name).toBe('Large');
    expect(catalog.findOption(pepperoni, 'BIG')?.option.id).toBe('large');
    expect(catalog.findOption(pepperoni, 'extra-cheese')?.group.id).toBe('toppings');
    expect(catalog.findOption(pepperoni, 'jalapeno')?.option.id).toBe('jalapenos');
    expect(catalog.findOption(pepperoni, 'Gluten free')?.option.id).toBe('gluten-free');
    expect(catalog.findOption(pepperoni, 'mushroom')?.option.id).toBe('mushrooms');
  });

  it("only knows the item's own options", () => {
    expect(catalog.findOption(item('coke'), 'extra cheese')).toBeUndefined();
    expect(catalog.findOption(item('tiramisu'), 'large')).toBeUndefined();
  });
});

describe('MenuCatalog suggestions', () => {
  it.each([
    ['margarita pizza', 'Pizza Margherita'],
    ['margerita', 'Pizza Margherita'],
    ['pepperoni pie', 'Pepperoni Pizza'],
    ['peperoni', 'Pepperoni Pizza'],
    ['coca', 'Coke'],
    ['tiramissu', 'Tiramisu'],
    ['calzon', 'Calzone'],
    ['lemonaid', 'Lemonade'],
    ['garlic bread', 'Garlic Knots'],
  ])('suggests %j -> %s first', (query, best) => {
    expect(catalog.suggestItems(query)[0]).toBe(best);
  });

  it.each([
    ['margarita', ['Pizza Margherita', 'Pizza Marinara']],
    ['margerita', ['Pizza Margherita']],
    ['coca', ['Coke', 'Diet Coke']],
    ['cokes', ['Coke', 'Diet Coke']],
    ['coka cola', ['Coke', 'Diet Coke']],
    ['soda', ['Coke', 'Sprite']],
    ['peperoni', ['Pepperoni Pizza']],
    ['garlic nots', ['Garlic Knots']],
    ['tiramissu', ['Tiramisu']],
  ])('offers only the close names for %j', (query, names) => {
    expect(catalog.suggestItems(query)).toEqual(names);
  });

  // The other side of the threshold: their best scores are 0.44 ("lasagna", "pepsi") and below.
  it.each(['lasagna', 'sushi', 'Sushi Platter', 'hamburger', 'pepsi', 'spaghetti', 'xyzzy', 'ice cream'])(
    'offers nothing for %j, which is nothing like the menu',
    (query) => {
      expect(catalog.suggestItems(query)).toEqual([]);
    },
  );

  it('stops at the limit, best first, without duplicates', () => {
    const pizzas = catalog.suggestItems('pizza', 5);
    expect(pizzas).toHaveLength(5);
    expect(new Set(pizzas).size).toBe(5);
    expect(catalog.suggestItems('pizza', 0)).toEqual([]);
    // Every pizza shares the word, nothing else on the menu comes close.
    expect(catalog.suggestItems('pizza', 1000)).toEqual(
      catalog.items.filter((i) => i.category === 'Pizza').map((i) => i.name),
    );
  });

  it("suggests among the item's options, only the close ones", () => {
    const pizza = item('pizza-margherita');
    expect(catalog.suggestOptions(pizza, 'mushrom')).toEqual(['Mushrooms']);
    expect(catalog.suggestOptions(pizza, 'pinapple')).toEqual(['Pineapple']);
    expect(catalog.suggestOptions(pizza, 'extra large')[0]).toBe('Large');
    expect(catalog.suggestOptions(pizza, 'anchovies')).toEqual([]);
    expect(catalog.suggestOptions(pizza, 'spinach')).toEqual([]);
    expect(catalog.suggestOptions(item('tiramisu'), 'large')).toEqual([]);
  });
});

describe('MenuCatalog construction', () => {
  const base = (id: string, name: string, aliases: string[] = []): MenuItem => ({
    id,
    name,
    priceCents: cents(100),
    category: 'Test',
    description: '',
    aliases,
    optionGroups: [],
    soldOutInFile: false,
  });
  const menuOf = (items: MenuItem[]): Menu => ({ currency: 'usd', items, categories: ['Test'] });

  it('refuses a name that would mean two items', () => {
    expect(() => new MenuCatalog(menuOf([base('a', 'Cola'), base('b', 'Pop', ['COLA!'])]))).toThrow(/cola/i);
    expect(() => new MenuCatalog(menuOf([base('a', 'A'), base('a', 'B')]))).toThrow(/duplicate/);
  });

  it('keeps items whose names differ only by a plural apart', () => {
    const c = new MenuCatalog(menuOf([base('knot', 'Knot'), base('knots', 'Knots')]));
    expect(c.findItem('knot')?.id).toBe('knot');
    expect(c.findItem('knots')?.id).toBe('knots');
    expect(c.findItem('KNOTS!')?.id).toBe('knots');
  });
});

describe('MenuCatalog sold-out flags', () => {
  const base = (id: string, soldOutInFile = false): MenuItem => ({
    id,
    name: id.toUpperCase(),
    priceCents: cents(100),
    category: 'Test',
    description: '',
    aliases: [],
    optionGroups: [],
    soldOutInFile,
  });
  const menuOf = (items: MenuItem[]): Menu => ({ currency: 'usd', items, categories: ['Test'] });

  it("starts from the file's flags", () => {
    const c = new MenuCatalog(menuOf([base('a'), base('b', true)]));
    expect(c.isSoldOut('a')).toBe(false);
    expect(c.isSoldOut('b')).toBe(true);
  });

  it('replaces the whole set, and still finds a sold-out item by name', () => {
    const c = new MenuCatalog(menuOf([base('a'), base('b', true)]));
    c.setSoldOut(['a']);
    expect(c.isSoldOut('a')).toBe(true);
    expect(c.isSoldOut('b')).toBe(false);
    expect(c.isSoldOut('unknown')).toBe(false);
    // Pricing must still recognise it, to say it is sold out rather than "not on the menu".
    expect(c.findItem('a')?.id).toBe('a');
    c.setSoldOut([]);
    expect(c.isSoldOut('a')).toBe(false);
  });
});

describe('levenshtein', () => {
  it('counts edits', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('peperoni', 'pepperoni')).toBe(1);
  });
});
