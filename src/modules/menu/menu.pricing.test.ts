import { describe, it, expect, beforeAll } from 'vitest';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../../errors.js';
import { loadMenuFile } from './menu.loader.js';
import { MenuCatalog } from './menu.matcher.js';
import { priceLines, type RequestedLine } from './menu.pricing.js';

const defaultMenuPath = fileURLToPath(new URL('../../../menu/default-menu.json', import.meta.url));

let catalog: MenuCatalog;
beforeAll(async () => {
  catalog = new MenuCatalog(await loadMenuFile(defaultMenuPath));
});

function failure(lines: RequestedLine[]): ValidationError {
  try {
    priceLines(catalog, lines);
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected priceLines to reject the order');
}

describe('priceLines: valid orders', () => {
  it('prices plain items from the menu, by name or id', () => {
    const lines = priceLines(catalog, [
      { name: 'Pizza Margherita', quantity: 1 },
      { item_id: 'coke', quantity: 3 },
    ]);
    expect(lines).toEqual([
      {
        itemId: 'pizza-margherita',
        name: 'Pizza Margherita',
        quantity: 1,
        unitPriceCents: 1499,
        options: [],
        lineTotalCents: 1499,
      },
      { itemId: 'coke', name: 'Coke', quantity: 3, unitPriceCents: 299, options: [], lineTotalCents: 897 },
    ]);
  });

  it('adds option deltas to the unit price: Large Pepperoni with extra cheese x2', () => {
    const [line] = priceLines(catalog, [
      { name: 'pepperoni', quantity: 2, options: ['large', 'Extra Cheese'], unit_price: 22.49 },
    ]);
    expect(line).toMatchObject({ itemId: 'pepperoni-pizza', unitPriceCents: 2249, lineTotalCents: 4498 });
    expect(line?.options).toEqual([
      { groupId: 'size', optionId: 'large', name: 'Large', priceDeltaCents: 400 },
      { groupId: 'toppings', optionId: 'extra-cheese', name: 'Extra Cheese', priceDeltaCents: 150 },
    ]);
  });

  it('handles negative deltas (Small) and lets item_id win over name', () => {
    const [line] = priceLines(catalog, [
      { item_id: 'pizza-margherita', name: 'Coke', quantity: 1, options: ['small'] },
    ]);
    expect(line).toMatchObject({ itemId: 'pizza-margherita', unitPriceCents: 1299 });
  });

  it('accepts a quoted unit price equal to the server price', () => {
    expect(priceLines(catalog, [{ name: 'coke', quantity: 1, unit_price: 2.99 }])[0]?.unitPriceCents).toBe(
      299,
    );
  });

  it('accepts a required choice (wing sauce) and returns no lines for no input', () => {
    const [wings] = priceLines(catalog, [{ name: 'wings', quantity: 1, options: ['honey hot'] }]);
    expect(wings?.unitPriceCents).toBe(1249);
    expect(priceLines(catalog, [])).toEqual([]);
  });
});

describe('priceLines: problems', () => {
  it('reports an unknown item with suggestions', () => {
    const err = failure([{ name: 'Pizza Margarita Special', quantity: 1 }]);
    expect(err.status).toBe(422);
    expect(err.code).toBe('unknown_item');
    expect(err.message).toBe(
      "We don't have 'Pizza Margarita Special' on the menu. Did you mean Pizza Margherita or Pizza Marinara?",
    );
    expect(err.details).toHaveLength(1);
    expect(err.details?.[0]).toMatchObject({ field: 'items[0].name', code: 'unknown_item' });
    expect(err.details?.[0]?.suggestions?.[0]).toBe('Pizza Margherita');
  });

  it('offers no "did you mean" when nothing on the menu is close', () => {
    const err = failure([{ name: 'lasagna', quantity: 1 }]);
    expect(err.message).toBe("We don't have 'lasagna' on the menu.");
    expect(err.details?.[0]?.suggestions).toEqual([]);
  });

  it('names item_id as the field when the id is unknown', () => {
    const err = failure([{ item_id: 'pizza-hawaii', name: 'Hawaiian Pizza', quantity: 1 }]);
    expect(err.details?.[0]).toMatchObject({ field: 'items[0].item_id', code: 'unknown_item' });
  });

  it('needs a name or an item_id', () => {
    const err = failure([{ quantity: 1 }]);
    expect(err.code).toBe('missing_item');
    expect(err.details?.[0]?.field).toBe('items[0].name');
  });

  it('reports an unknown option with suggestions from that item', () => {
    const err = failure([{ name: 'Pizza Margherita', quantity: 1, options: ['large', 'mushrom'] }]);
    expect(err.code).toBe('unknown_option');
    expect(err.details?.[0]).toMatchObject({ field: 'items[0].options[1]' });
    expect(err.details?.[0]?.suggestions?.[0]).toBe('Mushrooms');
  });

  it('enforces the maximum and minimum choices of a group', () => {
    const tooMany = failure([{ name: 'Pizza Margherita', quantity: 1, options: ['small', 'large'] }]);
    expect(tooMany.code).toBe('invalid_options');
    expect(tooMany.message).toBe('Pizza Margherita takes at most 1 Size choice.');
    expect(tooMany.details?.[0]?.field).toBe('items[0].options');

    const tooFew = failure([{ name: 'Chicken Wings', quantity: 1 }]);
    expect(tooFew.code).toBe('invalid_options');
    expect(tooFew.message).toBe('Chicken Wings takes at least 1 Wing Sauce choice.');
  });

  it('refuses the same option twice, however it is spelled', () => {
    const err = failure([{ name: 'Veggie Pizza', quantity: 1, options: ['mushrooms', 'Mushroom'] }]);
    expect(err.code).toBe('invalid_options');
    expect(err.details?.[0]?.field).toBe('items[0].options[1]');
  });

  it('refuses a quoted price that differs, naming the current price', () => {
    const err = failure([{ name: 'Coke', quantity: 1, unit_price: 1.99 }]);
    expect(err.code).toBe('price_mismatch');
    expect(err.message).toBe('The price of Coke is $2.99, not $1.99.');
    expect(err.details?.[0]).toMatchObject({ field: 'items[0].unit_price', currentUnitPrice: 2.99 });
  });

  it('compares the quote with base plus options, and refuses sub-cent quotes', () => {
    const withOptions = failure([
      { name: 'Pepperoni Pizza', quantity: 1, options: ['large'], unit_price: 16.99 },
    ]);
    expect(withOptions.message).toBe('The price of Pepperoni Pizza with Large is $20.99, not $16.99.');

    const subCent = failure([{ name: 'Coke', quantity: 1, unit_price: 2.991 }]);
    expect(subCent.code).toBe('price_mismatch');
    expect(subCent.message).toContain('$2.99');
  });

  it.each([0, 100, 1.5, Number.NaN])('asserts the quantity (%s)', (quantity) => {
    const err = failure([{ name: 'Coke', quantity }]);
    expect(err.code).toBe('invalid_quantity');
    expect(err.details?.[0]?.field).toBe('items[0].quantity');
  });

  it('collects every problem across lines into one error, led by the first', () => {
    const err = failure([
      { name: 'Coke', quantity: 1 },
      { name: 'hamburger', quantity: 1 },
      { name: 'Pizza Margherita', quantity: 1, options: ['anchovies'] },
      { name: 'Sprite', quantity: 1, unit_price: 0.5 },
      { name: 'Tiramisu', quantity: 0 },
    ]);
    expect(err.code).toBe('unknown_item');
    expect(err.message).toMatch(
      /^We don't have 'hamburger' on the menu\..* \(3 other problems in this order\.\)$/,
    );
    expect(err.details?.map((d) => [d.code, d.field])).toEqual([
      ['unknown_item', 'items[1].name'],
      ['unknown_option', 'items[2].options[0]'],
      ['price_mismatch', 'items[3].unit_price'],
      ['invalid_quantity', 'items[4].quantity'],
    ]);
  });
});

describe('priceLines: sold out today', () => {
  // Its own catalog: the flags are state, and the other tests price from the shared one.
  let today: MenuCatalog;
  beforeAll(async () => {
    today = new MenuCatalog(await loadMenuFile(defaultMenuPath));
    today.setSoldOut(['veggie-pizza', 'cannoli']);
  });

  function refusal(lines: RequestedLine[]): ValidationError {
    try {
      priceLines(today, lines);
    } catch (err) {
      if (err instanceof ValidationError) return err;
      throw err;
    }
    throw new Error('expected priceLines to reject the order');
  }

  it('refuses a sold-out item by name or id, with a sentence for the caller', () => {
    const byName = refusal([{ name: 'vegetarian pizza', quantity: 1, options: ['large'] }]);
    expect(byName.status).toBe(422);
    expect(byName.code).toBe('sold_out');
    expect(byName.message).toBe('Sorry, Veggie Pizza is sold out today.');
    expect(byName.details).toEqual([
      { code: 'sold_out', field: 'items[0].name', message: 'Sorry, Veggie Pizza is sold out today.' },
    ]);
    const byId = refusal([{ item_id: 'cannoli', quantity: 2 }]);
    expect(byId.details?.[0]).toMatchObject({ code: 'sold_out', field: 'items[0].item_id' });
  });

  it("lists it with the request's other problems", () => {
    const err = refusal([
      { name: 'Coke', quantity: 1 },
      { name: 'Veggie Pizza', quantity: 1, options: ['rainbow sprinkles'] },
      { name: 'Sprite', quantity: 1, unit_price: 0.5 },
      { name: 'Cannoli', quantity: 1 },
    ]);
    expect(err.code).toBe('sold_out');
    expect(err.message).toBe('Sorry, Veggie Pizza is sold out today. (2 other problems in this order.)');
    expect(err.details?.map((d) => [d.code, d.field])).toEqual([
      ['sold_out', 'items[1].name'],
      ['price_mismatch', 'items[2].unit_price'],
      ['sold_out', 'items[3].name'],
    ]);
  });

  it('prices everything else as before, and the item again once it is back', () => {
    expect(priceLines(today, [{ name: 'Pizza Margherita', quantity: 1 }])[0]?.unitPriceCents).toBe(1499);
    const later = new MenuCatalog(today.menu);
    later.setSoldOut([]);
    expect(priceLines(later, [{ name: 'Veggie Pizza', quantity: 1 }])[0]?.itemId).toBe('veggie-pizza');
  });
});
