// Prices what a caller asked for from the server's menu. The client (a voice model) may name items loosely
// and may quote a price; the server's price always wins, and a differing quote is refused so the caller is
// never charged an amount they did not hear. Runs for every order, so it avoids closures and temporaries.
import { ValidationError, type ErrorDetail } from '../../errors.js';
import { cents, dollarsToCents, formatDollars, type Cents } from '../../shared/money.js';
import type { MenuCatalog } from './menu.matcher.js';
import type { MenuItem } from './menu.types.js';

export interface RequestedLine {
  name?: string;
  item_id?: string;
  quantity: number;
  /** Dollars, as the caller heard it; optional. */
  unit_price?: number;
  options?: string[];
}

export interface PricedOption {
  groupId: string;
  optionId: string;
  name: string;
  priceDeltaCents: Cents;
}

export interface PricedLine {
  itemId: string;
  name: string;
  quantity: number;
  unitPriceCents: Cents;
  options: PricedOption[];
  lineTotalCents: Cents;
}

/** One problem in the request; `code` per detail because different lines can fail differently. */
interface Problem extends ErrorDetail {
  code: string;
  field: string;
}

const MAX_QUANTITY = 99;
const NO_OPTIONS: readonly string[] = [];

/** Prices every line or throws one ValidationError listing every problem in the whole request. */
export function priceLines(catalog: MenuCatalog, lines: RequestedLine[]): PricedLine[] {
  const priced: PricedLine[] = [];
  let problems: Problem[] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === undefined) continue;
    const before = problems?.length ?? 0;
    problems = checkQuantity(line, i, problems);
    const item = resolveItem(catalog, line, i);
    if ('code' in item) {
      (problems ??= []).push(item);
      continue;
    }
    // Options are not checked for an item the kitchen cannot make today: fixing them would not help.
    if (catalog.isSoldOut(item.id)) {
      (problems ??= []).push(soldOut(item, line, i));
      continue;
    }
    // Even with no options requested, a group with minChoices > 0 (wing sauce) must be checked.
    const options = priceOptions(catalog, item, line.options ?? NO_OPTIONS, i);
    if (!Array.isArray(options)) {
      (problems ??= []).push(...options.problems);
      continue;
    }
    let unit = item.priceCents as number;
    for (let j = 0; j < options.length; j++) unit += (options[j] as PricedOption).priceDeltaCents;
    const unitPriceCents = cents(unit);
    if (line.unit_price !== undefined && dollarsToCents(line.unit_price) !== unitPriceCents) {
      (problems ??= []).push(priceMismatch(item, options, unitPriceCents, line.unit_price, i));
      continue;
    }
    if ((problems?.length ?? 0) > before) continue;
    priced.push({
      itemId: item.id,
      name: item.name,
      quantity: line.quantity,
      unitPriceCents,
      options,
      lineTotalCents: cents(unitPriceCents * line.quantity),
    });
  }
  if (problems !== undefined && problems.length > 0) throw toError(problems);
  return priced;
}

// The HTTP schema already enforces this; repeated here because a bad quantity must never reach a charge.
function checkQuantity(
  line: RequestedLine,
  i: number,
  problems: Problem[] | undefined,
): Problem[] | undefined {
  const q = line.quantity;
  if (Number.isInteger(q) && q >= 1 && q <= MAX_QUANTITY) return problems;
  const problem: Problem = {
    code: 'invalid_quantity',
    field: `items[${i}].quantity`,
    message: `Quantity must be a whole number from 1 to ${MAX_QUANTITY}, not ${String(q)}.`,
  };
  (problems ??= []).push(problem);
  return problems;
}

function resolveItem(catalog: MenuCatalog, line: RequestedLine, i: number): MenuItem | Problem {
  // item_id wins: it is what the model copied from the menu, the name is what it heard.
  const byId = isPresent(line.item_id);
  const requested = byId ? line.item_id : line.name;
  if (requested !== undefined && requested.trim() !== '') {
    const item = catalog.findItem(requested);
    if (item !== undefined) return item;
  }
  // Only failures reach here, so building field strings costs nothing on the hot path.
  const field = `items[${i}].${byId ? 'item_id' : 'name'}`;
  if (requested === undefined || requested.trim() === '') {
    return { code: 'missing_item', field, message: `Item ${i + 1} needs a name or an item_id.` };
  }
  const suggestions = catalog.suggestItems(requested);
  return {
    code: 'unknown_item',
    field,
    message: `We don't have '${requested.trim()}' on the menu.${didYouMean(suggestions)}`,
    suggestions,
  };
}

function soldOut(item: MenuItem, line: RequestedLine, i: number): Problem {
  return {
    code: 'sold_out',
    field: `items[${i}].${isPresent(line.item_id) ? 'item_id' : 'name'}`,
    message: `Sorry, ${item.name} is sold out today.`,
  };
}

function priceOptions(
  catalog: MenuCatalog,
  item: MenuItem,
  requested: readonly string[],
  i: number,
): PricedOption[] | { problems: Problem[] } {
  const options: PricedOption[] = [];
  let problems: Problem[] | undefined;
  for (let j = 0; j < requested.length; j++) {
    const text = requested[j] ?? '';
    const match = catalog.findOption(item, text);
    if (match === undefined) {
      const suggestions = catalog.suggestOptions(item, text);
      (problems ??= []).push({
        code: 'unknown_option',
        field: `items[${i}].options[${j}]`,
        message: `${item.name} has no option '${text.trim()}'.${didYouMean(suggestions)}`,
        suggestions,
      });
      continue;
    }
    if (contains(options, match.group.id, match.option.id)) {
      (problems ??= []).push({
        code: 'invalid_options',
        field: `items[${i}].options[${j}]`,
        message: `${match.option.name} is listed twice for ${item.name}.`,
      });
      continue;
    }
    options.push({
      groupId: match.group.id,
      optionId: match.option.id,
      name: match.option.name,
      priceDeltaCents: match.option.priceDeltaCents,
    });
  }
  // Counting choices with an unknown option in the line would invent "at least 1" errors for a misheard word.
  if (problems === undefined) {
    for (const group of item.optionGroups) {
      let chosen = 0;
      for (let k = 0; k < options.length; k++) if (options[k]?.groupId === group.id) chosen++;
      if (chosen >= group.minChoices && chosen <= group.maxChoices) continue;
      const [bound, limit] =
        chosen < group.minChoices ? ['at least', group.minChoices] : ['at most', group.maxChoices];
      (problems ??= []).push({
        code: 'invalid_options',
        field: `items[${i}].options`,
        message: `${item.name} takes ${bound} ${limit} ${group.name} choice${limit === 1 ? '' : 's'}.`,
      });
    }
  }
  return problems === undefined ? options : { problems };
}

function priceMismatch(
  item: MenuItem,
  options: readonly PricedOption[],
  unitPriceCents: Cents,
  quoted: number,
  i: number,
): Problem {
  const quotedCents = dollarsToCents(quoted);
  // A quote like 2.999 cannot be a menu price; echo it as given rather than rounding it into one.
  const quotedText = quotedCents === null ? `$${String(quoted)}` : formatDollars(quotedCents);
  const what =
    options.length === 0 ? item.name : `${item.name} with ${options.map((o) => o.name).join(', ')}`;
  return {
    code: 'price_mismatch',
    field: `items[${i}].unit_price`,
    message: `The price of ${what} is ${formatDollars(unitPriceCents)}, not ${quotedText}.`,
    currentUnitPrice: unitPriceCents / 100,
  };
}

function isPresent(text: string | undefined): text is string {
  return text !== undefined && text.trim() !== '';
}

function contains(options: readonly PricedOption[], groupId: string, optionId: string): boolean {
  for (let k = 0; k < options.length; k++) {
    const o = options[k];
    if (o !== undefined && o.groupId === groupId && o.optionId === optionId) return true;
  }
  return false;
}

/** " Did you mean A, B or C?" — empty when there is nothing to offer. */
function didYouMean(names: readonly string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return ` Did you mean ${names[0]}?`;
  return ` Did you mean ${names.slice(0, -1).join(', ')} or ${names.at(-1)}?`;
}

function toError(problems: Problem[]): ValidationError {
  const first = problems[0] as Problem;
  const others = problems.length - 1;
  const message =
    others === 0
      ? first.message
      : `${first.message} (${others} other problem${others === 1 ? '' : 's'} in this order.)`;
  return new ValidationError(first.code, message, problems);
}
