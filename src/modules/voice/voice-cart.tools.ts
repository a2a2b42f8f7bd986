// add_item, remove_item and list_order: the order a caller builds during a call, kept on the server so the
// model never has to carry (and silently drop) the whole order. Each line is checked against the menu when it
// is added, and the cart is priced from the menu whenever it is read back.
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { ValidationError } from '../../errors.js';
import { formatDollars } from '../../shared/money.js';
import type { MenuCatalog } from '../menu/menu.matcher.js';
import { type PricedLine, type RequestedLine, priceLines } from '../menu/menu.pricing.js';
import { itemsText } from './voice-answers.js';
import type { Cart, CartLine, VoiceCartRepository } from './voice-cart.repository.js';
import { describeArgumentErrors } from './voice-problems.js';

const ItemName = Type.String({ minLength: 1, maxLength: 100 });
const AddItemArgs = Compile(
  Type.Object({
    item: ItemName,
    quantity: Type.Optional(Type.Integer()),
    options: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 })),
  }),
);
const RemoveItemArgs = Compile(
  Type.Object({
    item: ItemName,
    quantity: Type.Optional(Type.Integer({ minimum: 1 })),
    options: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 })),
  }),
);

const MAX_QUANTITY = 99;
/** As many lines as a REST order may have. */
const MAX_LINES = 50;

export class CartTools {
  constructor(
    private readonly catalog: MenuCatalog,
    private readonly carts: VoiceCartRepository,
  ) {}

  async add(callId: string, raw: Record<string, unknown>): Promise<string> {
    const args = withNumbers(raw);
    if (!AddItemArgs.Check(args)) return describeArgumentErrors('add_item', AddItemArgs.Errors(args), args);
    const quantity = args.quantity ?? 1;
    // Throws ValidationError (unknown item or option, sold out, bad quantity), spoken by the caller of add.
    const [priced] = priceLines(this.catalog, [{ item_id: args.item, quantity, options: args.options }]);
    if (!priced) throw new Error('priceLines returned no line for one requested line');
    const added: CartLine = {
      itemId: priced.itemId,
      quantity,
      optionIds: priced.options.map((o) => o.optionId),
    };
    return this.carts.change(callId, (cart) => {
      if (cart.placedOrderId !== null) return { answer: alreadyPlaced(cart.placedOrderId) };
      const same = cart.lines.find((l) => sameLine(l, added));
      if (same && same.quantity + quantity > MAX_QUANTITY) {
        return {
          answer: `That would make ${same.quantity + quantity} ${priced.name}; I can take at most ${MAX_QUANTITY} of one item. Nothing was added.`,
        };
      }
      if (!same && cart.lines.length >= MAX_LINES) {
        return {
          answer: `The order already has ${MAX_LINES} different items, the most I can take. Nothing was added.`,
        };
      }
      const lines = same
        ? cart.lines.map((l) => (l === same ? { ...l, quantity: l.quantity + quantity } : l))
        : [...cart.lines, added];
      const next = { ...cart, lines };
      const what = itemsText([{ quantity, name: priced.name, options: priced.options }]);
      return { cart: next, answer: `Added ${what}. ${this.readBack(next, 'The order so far')}` };
    });
  }

  async remove(callId: string, raw: Record<string, unknown>): Promise<string> {
    const args = withNumbers(raw);
    if (!RemoveItemArgs.Check(args))
      return describeArgumentErrors('remove_item', RemoveItemArgs.Errors(args), args);
    const item = this.catalog.findItem(args.item);
    const optionIds = item && args.options?.map((o) => this.catalog.findOption(item, o)?.option.id ?? o);
    return this.carts.change(callId, (cart) => {
      if (cart.placedOrderId !== null) return { answer: alreadyPlaced(cart.placedOrderId) };
      const matching = cart.lines.filter(
        (l) => l.itemId === item?.id && (optionIds ?? []).every((id) => l.optionIds.includes(id)),
      );
      if (!item || matching.length === 0) {
        const name = item?.name ?? args.item.trim();
        return { answer: `There is no ${name} in the order. ${this.readBack(cart, 'The order has')}` };
      }
      // Without a quantity, all of it; otherwise from the most recently added line first.
      let toRemove = args.quantity ?? Number.POSITIVE_INFINITY;
      let removed = 0;
      const lines: CartLine[] = [];
      for (const line of [...cart.lines].reverse()) {
        if (toRemove > 0 && matching.includes(line)) {
          const taken = Math.min(line.quantity, toRemove);
          toRemove -= taken;
          removed += taken;
          if (line.quantity > taken) lines.unshift({ ...line, quantity: line.quantity - taken });
        } else lines.unshift(line);
      }
      const next = { ...cart, lines };
      return {
        cart: next,
        answer: `Removed ${removed} ${item.name}. ${this.readBack(next, 'The order now has')}`,
      };
    });
  }

  async list(callId: string): Promise<string> {
    const cart = await this.carts.find(callId);
    const placed = cart.placedOrderId !== null ? ` It was placed as order number ${cart.placedOrderId}.` : '';
    return `${this.readBack(cart, 'The order has')}${placed}`;
  }

  /** "The order so far: 2 Pizza Margherita, 3 Coke; subtotal $38.95 before tax and any delivery fee." */
  private readBack(cart: Cart, lead: string): string {
    if (cart.lines.length === 0) return 'The order is empty: nothing has been added yet.';
    const priced: PricedLine[] = [];
    const unavailable: string[] = [];
    for (const line of cart.lines) {
      try {
        priced.push(...priceLines(this.catalog, [toRequestedLine(line)]));
      } catch (error) {
        // An item sold out (or dropped from the menu) since it was added: say so instead of pricing it.
        if (!(error instanceof ValidationError)) throw error;
        unavailable.push(...(error.details ?? []).map((d) => d.message));
      }
    }
    const subtotal = priced.reduce((sum, l) => sum + l.lineTotalCents, 0);
    const text =
      priced.length > 0
        ? `${lead}: ${itemsText(priced)}; subtotal ${formatDollars(subtotal)} before tax and any delivery fee.`
        : '';
    const warning =
      unavailable.length > 0 ? ` ${unavailable.join(' ')} Remove it with remove_item before quoting.` : '';
    return `${text}${warning}`.trim();
  }
}

/** The cart as order lines for quote_order and place_order; empty when nothing was added. */
export function cartLines(cart: Cart): RequestedLine[] {
  return cart.lines.map(toRequestedLine);
}

function toRequestedLine(line: CartLine): RequestedLine {
  return { item_id: line.itemId, quantity: line.quantity, options: line.optionIds };
}

function sameLine(a: CartLine, b: CartLine): boolean {
  return (
    a.itemId === b.itemId &&
    a.optionIds.length === b.optionIds.length &&
    a.optionIds.every((id) => b.optionIds.includes(id))
  );
}

function alreadyPlaced(orderId: number): string {
  return (
    `Order number ${orderId} is already placed, so nothing was changed. If the caller wants to change it, ` +
    'confirm with them and call cancel_order: its items stay in the order to be changed and placed again.'
  );
}

/** Models sometimes send "2" for 2; a whole-number string is read as the number it spells. */
function withNumbers(args: Record<string, unknown>): Record<string, unknown> {
  const { quantity } = args;
  return typeof quantity === 'string' && /^\s*\d{1,3}\s*$/.test(quantity)
    ? { ...args, quantity: Number(quantity) }
    : args;
}
