// Turns what a caller (or the voice model transcribing them) said into a menu item or option.
// Exact lookups are Map hits precomputed at start-up because they run for every order line; the fuzzy
// scoring behind suggestions only runs when a name is unknown, so it favours clarity over speed.
import type { MenuItem, MenuOption, MenuOptionGroup, Menu } from './menu.types.js';

export interface OptionMatch {
  group: MenuOptionGroup;
  option: MenuOption;
}

/**
 * Canonical form for comparing names: "Jalapeños" -> "jalapenos", "PIZZA  margherita!" and
 * "pizza-margherita" -> "pizza margherita". Apostrophes are dropped rather than turned into a space so
 * "Meat Lover's" and "meat lovers" agree.
 */
export function normalizeName(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Drops a plural "s" from the last word so "cokes" meets "coke" and "garlic knot" meets "garlic knots". */
function singularKey(key: string): string {
  // "ss" words (glass) are not plurals, and very short words (gas, bus) are too risky to touch.
  const lastWordLength = key.length - key.lastIndexOf(' ') - 1;
  if (lastWordLength > 3 && key.endsWith('s') && !key.endsWith('ss')) return key.slice(0, -1);
  return key;
}

/** A lookup table that refuses two different targets for one exact key and forgets ambiguous plurals. */
class KeyIndex<T> {
  private readonly exact = new Map<string, T>();
  // null marks a singular form shared by two targets: better no match than the wrong item.
  private readonly singular = new Map<string, T | null>();

  constructor(private readonly describe: (target: T) => string) {}

  add(rawKey: string, target: T): void {
    const key = normalizeName(rawKey);
    if (key === '') return;
    const existing = this.exact.get(key);
    if (existing !== undefined && existing !== target) {
      throw new Error(
        `menu name "${rawKey}" is used by both ${this.describe(existing)} and ${this.describe(target)}`,
      );
    }
    this.exact.set(key, target);
    const single = singularKey(key);
    const other = this.singular.get(single);
    this.singular.set(single, other === undefined || other === target ? target : null);
  }

  find(text: string): T | undefined {
    const key = normalizeName(text);
    return this.exact.get(key) ?? this.singular.get(singularKey(key)) ?? undefined;
  }
}

interface Candidate<T> {
  target: T;
  key: string;
  tokens: string[];
}

export class MenuCatalog {
  private readonly byId = new Map<string, MenuItem>();
  private readonly itemIndex = new KeyIndex<MenuItem>((item) => `"${item.id}"`);
  private readonly optionIndexes = new Map<string, KeyIndex<OptionMatch>>();
  private readonly itemCandidates: Candidate<MenuItem>[] = [];
  private readonly optionCandidates = new Map<string, Candidate<MenuOption>[]>();
  // Replaced whole (never mutated) so a reader mid-order sees either the old set or the new one.
  private soldOut: ReadonlySet<string>;

  constructor(readonly menu: Menu) {
    // Until MenuAvailability loads the owner's flags, the file's own flags are the best answer.
    this.soldOut = new Set(menu.items.filter((item) => item.soldOutInFile).map((item) => item.id));
    for (const item of menu.items) {
      if (this.byId.has(item.id)) throw new Error(`duplicate menu item id "${item.id}"`);
      this.byId.set(item.id, item);
      for (const key of [item.id, item.name, ...item.aliases]) {
        this.itemIndex.add(key, item);
        this.itemCandidates.push(candidate(item, key));
      }
      const options = new KeyIndex<OptionMatch>((m) => `"${item.id}" option "${m.option.id}"`);
      const optionCandidates: Candidate<MenuOption>[] = [];
      for (const group of item.optionGroups) {
        for (const option of group.options) {
          const match: OptionMatch = { group, option };
          for (const key of [option.id, option.name, ...option.aliases]) {
            options.add(key, match);
            optionCandidates.push(candidate(option, key));
          }
        }
      }
      this.optionIndexes.set(item.id, options);
      this.optionCandidates.set(item.id, optionCandidates);
    }
  }

  get items(): readonly MenuItem[] {
    return this.menu.items;
  }

  getById(id: string): MenuItem | undefined {
    return this.byId.get(id);
  }

  /** The item a caller meant by its name, an alias or its id, ignoring case, punctuation and a plural. */
  findItem(nameOrId: string): MenuItem | undefined {
    return this.byId.get(nameOrId) ?? this.itemIndex.find(nameOrId);
  }

  /** Checked on every order line, so a Set lookup; the set is refreshed by MenuAvailability. */
  isSoldOut(itemId: string): boolean {
    return this.soldOut.has(itemId);
  }

  /** Replaces which items are sold out today; ids not on this menu are kept but never match an item. */
  setSoldOut(itemIds: Iterable<string>): void {
    this.soldOut = new Set(itemIds);
  }

  findOption(item: MenuItem, nameOrId: string): OptionMatch | undefined {
    return this.optionIndexes.get(item.id)?.find(nameOrId);
  }

  /**
   * Up to `limit` item names close to an unknown query, best first, for "did you mean…"; none when nothing
   * on the menu is close (a "did you mean" list of unrelated names only confuses the caller).
   */
  suggestItems(query: string, limit = 3): string[] {
    return rank(this.itemCandidates, query, limit).map((item) => item.name);
  }

  suggestOptions(item: MenuItem, query: string, limit = 3): string[] {
    return rank(this.optionCandidates.get(item.id) ?? [], query, limit).map((option) => option.name);
  }
}

function candidate<T>(target: T, rawKey: string): Candidate<T> {
  const key = normalizeName(rawKey);
  return { target, key, tokens: tokenize(key) };
}

function tokenize(key: string): string[] {
  return key === '' ? [] : key.split(' ');
}

/**
 * The least similarity worth suggesting. Chosen on the default menu: misspellings and partial names score
 * 0.5 or more ("margerita" 0.90, "peperoni" 0.89, "cokes" 0.84, "coca" -> Coke 0.75 and Diet Coke 0.50, "soda"
 * -> Coke and Sprite 0.50), while dishes we do not sell stay below ("lasagna" 0.44, "pepsi" 0.44,
 * "hamburger" 0.35, "sushi" 0.23). A few look-alikes still pass ("wine" -> Chicken Wings 0.60): edit distance
 * cannot tell a near spelling from a near meaning.
 */
const MIN_SIMILARITY = 0.5;

/**
 * Every distinct target scored by its best key, those below MIN_SIMILARITY dropped; ties keep menu order so
 * results are stable.
 */
function rank<T>(candidates: readonly Candidate<T>[], query: string, limit: number): T[] {
  const key = normalizeName(query);
  const tokens = tokenize(key);
  const best = new Map<T, number>();
  for (const c of candidates) {
    const score = similarity(key, tokens, c);
    if (score > (best.get(c.target) ?? -1)) best.set(c.target, score);
  }
  // Map keeps insertion (menu) order and Array.prototype.sort is stable, so equal scores stay in order.
  return [...best.entries()]
    .filter(([, score]) => score >= MIN_SIMILARITY)
    .sort((a, b) => b[1] - a[1])
    .slice(0, Math.max(0, limit))
    .map(([target]) => target);
}

/**
 * 0..1. Whole-string edit distance catches typos ("peperoni"); word overlap catches reordered or partial
 * names ("margarita pizza", "pepperoni pie", "coca"), where the whole-string distance is large.
 */
function similarity(key: string, tokens: readonly string[], c: Candidate<unknown>): number {
  if (key === '' || c.key === '') return 0;
  if (key === c.key) return 1;
  const whole = 1 - levenshtein(key, c.key) / Math.max(key.length, c.key.length);
  let matched = 0;
  for (const token of tokens) {
    let bestToken = 0;
    for (const other of c.tokens) bestToken = Math.max(bestToken, tokenSimilarity(token, other));
    matched += bestToken;
  }
  // Dice coefficient over fuzzily matched words: extra words on either side lower the score.
  const overlap = (2 * matched) / (tokens.length + c.tokens.length);
  return Math.max(whole, overlap);
}

function tokenSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const shorter = Math.min(a.length, b.length);
  const longer = Math.max(a.length, b.length);
  // A clipped word ("marg", "pepp") is how people trail off; worth something, less than a full match.
  if (shorter >= 3 && (a.startsWith(b) || b.startsWith(a))) return 0.6 + (0.3 * shorter) / longer;
  const score = 1 - levenshtein(a, b) / longer;
  // Below this, short words like "pie"/"pizza" would count as matches and drown the real signal.
  return score >= 0.6 ? score : 0;
}

/** Classic two-row edit distance; inputs are short menu names, so plain arrays are fine. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length] ?? 0;
}
