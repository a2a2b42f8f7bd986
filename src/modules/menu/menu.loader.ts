// Reads the restaurant's menu file (dollars, snake_case) into the typed Menu (cents). A bad menu must stop
// start-up with every problem listed at once: whoever edits the file fixes it in one pass, not one error
// per restart.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { dollarsToCents, type Cents } from '../../shared/money.js';
import { normalizeName } from './menu.matcher.js';
import type { Menu, MenuItem, MenuOptionGroup } from './menu.types.js';

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lowercase letters, digits, "-" or "_" (e.g. "pizza-margherita")');

// A name that normalises to nothing ("!!!") could never be matched against what a caller says.
const name = z
  .string()
  .trim()
  .refine((s) => normalizeName(s) !== '', 'must contain letters or digits');

const twoDecimals = (n: number) => dollarsToCents(n) !== null;
const price = z
  .number()
  .nonnegative('must not be negative')
  .refine(twoDecimals, 'must be dollars with at most 2 decimals');
// Deltas may be negative (a Small pizza is cheaper); the item check below keeps the total positive.
const priceDelta = z.number().refine(twoDecimals, 'must be dollars with at most 2 decimals');

// A string "false" would be truthy wherever it is read, so only real JSON booleans pass.
const flag = z.boolean({
  error: (issue) => `must be true or false, not ${JSON.stringify(issue.input) ?? 'undefined'}`,
});

const optionSchema = z.strictObject({
  id,
  name,
  price_delta: priceDelta.default(0),
  aliases: z.array(name).default([]),
});

const groupSchema = z
  .strictObject({
    id,
    name,
    min: z.number().int().nonnegative(),
    max: z.number().int().positive(),
    options: z.array(optionSchema).min(1),
  })
  .superRefine((group, ctx) => {
    if (group.min > group.max)
      ctx.addIssue({ code: 'custom', path: ['min'], message: `min ${group.min} > max ${group.max}` });
    if (group.max > group.options.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['max'],
        message: `max ${group.max} > number of options (${group.options.length})`,
      });
    }
  });

const itemSchema = z
  .strictObject({
    id,
    name,
    price,
    category: name,
    description: z.string().trim().default(''),
    aliases: z.array(name).default([]),
    option_groups: z.array(groupSchema).default([]),
    sold_out: flag.default(false),
  })
  .superRefine((item, ctx) => {
    checkOptionKeys(item.option_groups, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
    const cheapest = cheapestUnitPrice(item.price, item.option_groups);
    if (cheapest !== null && cheapest <= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['price'],
        message: `the cheapest allowed choice of options costs ${cheapest} cents; an item must cost more than 0`,
      });
    }
  });

const menuSchema = z.strictObject({
  currency: z.literal('usd'),
  items: z.array(itemSchema).min(1),
});

type RawItem = z.infer<typeof itemSchema>;
type RawGroup = z.infer<typeof groupSchema>;
type Report = (path: (string | number)[], message: string) => void;

/** Options are requested by bare name, so one name must mean one option across all of an item's groups. */
function checkOptionKeys(groups: RawGroup[], report: Report): void {
  const seen = new Map<string, string>();
  groups.forEach((group, g) => {
    group.options.forEach((option, o) => {
      const here = `option_groups[${g}].options[${o}]`;
      const keys: [string, (string | number)[]][] = [
        [option.id, ['id']],
        [option.name, ['name']],
        ...option.aliases.map((a, k): [string, (string | number)[]] => [a, ['aliases', k]]),
      ];
      const mine = new Set<string>();
      for (const [raw, field] of keys) {
        const key = normalizeName(raw);
        const owner = seen.get(key);
        if (owner !== undefined && !mine.has(key)) {
          report(['option_groups', g, 'options', o, ...field], `"${raw}" is already used by ${owner}`);
        }
        mine.add(key);
        seen.set(key, owner ?? here);
      }
    });
  });
}

/** The lowest unit price any valid choice of options gives, in cents; null if a price was already invalid. */
function cheapestUnitPrice(basePrice: number, groups: RawGroup[]): number | null {
  const base = dollarsToCents(basePrice);
  // A negative or sub-cent base price is already reported; don't pile a second message on it.
  if (base === null || base < 0) return null;
  let total: number = base;
  for (const group of groups) {
    const deltas: number[] = [];
    for (const option of group.options) {
      const delta = dollarsToCents(option.price_delta);
      if (delta === null) return null;
      deltas.push(delta);
    }
    deltas.sort((a, b) => a - b);
    // The required choices are the cheapest ones; any further allowed choice only counts if it saves money.
    for (let i = 0; i < Math.min(group.max, deltas.length); i++) {
      const delta = deltas[i] ?? 0;
      if (i < group.min || delta < 0) total += delta;
    }
  }
  return total;
}

/**
 * Item ids and every name or alias (normalised) must point at one item. Works on the raw JSON so these
 * problems are reported even when another item has a type error that stops the schema short.
 */
function crossItemProblems(json: unknown): string[] {
  if (typeof json !== 'object' || json === null || !('items' in json) || !Array.isArray(json.items))
    return [];
  const items: unknown[] = json.items;
  const problems: string[] = [];
  const ids = new Map<string, number>();
  const keys = new Map<string, number>();
  items.forEach((raw, i) => {
    if (typeof raw !== 'object' || raw === null) return;
    const item = raw as Record<string, unknown>;
    const named: [string, unknown][] = [];
    if (typeof item.id === 'string') {
      const first = ids.get(item.id);
      // A repeated id is one problem, not also a clash of the id used as a name.
      if (first !== undefined)
        problems.push(`items[${i}].id: duplicate id "${item.id}" (also items[${first}])`);
      else {
        ids.set(item.id, i);
        named.push(['id', item.id]);
      }
    }
    named.push(['name', item.name]);
    if (Array.isArray(item.aliases))
      item.aliases.forEach((a: unknown, k) => named.push([`aliases[${k}]`, a]));
    for (const [field, value] of named) {
      if (typeof value !== 'string') continue;
      const key = normalizeName(value);
      if (key === '') continue;
      const owner = keys.get(key);
      if (owner === undefined) keys.set(key, i);
      else if (owner !== i) {
        problems.push(
          `items[${i}].${field}: "${value}" already names items[${owner}] (${describe(items, owner)})`,
        );
      }
    }
  });
  return problems;
}

function describe(items: unknown[], index: number): string {
  const item: unknown = items[index];
  if (typeof item === 'object' && item !== null && 'name' in item && typeof item.name === 'string')
    return item.name;
  return `item ${index}`;
}

/** zod path -> `items[3].option_groups[0].min`, the way a person finds the spot in the file. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path)
    out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`;
  return out === '' ? '(root)' : out;
}

/** Validates parsed JSON as a menu; `source` (the file path) names the file in the error message. */
export function parseMenu(json: unknown, source: string): Menu {
  const result = menuSchema.safeParse(json);
  const problems = result.success
    ? []
    : result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
  problems.push(...crossItemProblems(json));
  if (!result.success || problems.length > 0) {
    throw new Error(
      `Invalid menu file ${source} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
  }
  const items = result.data.items.map(toItem);
  return { currency: result.data.currency, items, categories: [...new Set(items.map((i) => i.category))] };
}

export async function loadMenuFile(path: string): Promise<Menu> {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`Invalid menu file ${path}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  return parseMenu(json, path);
}

// The schema already proved every price converts, so a null here would be a bug in this file.
function toCents(dollars: number): Cents {
  const value = dollarsToCents(dollars);
  if (value === null) throw new Error(`unreachable: unvalidated price ${dollars}`);
  return value;
}

function toItem(raw: RawItem): MenuItem {
  return {
    id: raw.id,
    name: raw.name,
    priceCents: toCents(raw.price),
    category: raw.category,
    description: raw.description,
    aliases: raw.aliases,
    soldOutInFile: raw.sold_out,
    optionGroups: raw.option_groups.map((g): MenuOptionGroup => ({
      id: g.id,
      name: g.name,
      minChoices: g.min,
      maxChoices: g.max,
      options: g.options.map((o) => ({
        id: o.id,
        name: o.name,
        priceDeltaCents: toCents(o.price_delta),
        aliases: o.aliases,
      })),
    })),
  };
}
