// The menu as the service sees it: validated once by menu.loader.ts, money already in integer cents.
// The file format (dollars, snake_case) exists only inside the loader.
import type { Cents } from '../../shared/money.js';

export interface MenuOption {
  id: string;
  name: string;
  /** Added to the item's price when chosen; negative for a cheaper variant (a Small pizza). */
  priceDeltaCents: Cents;
  aliases: string[];
}

export interface MenuOptionGroup {
  id: string;
  name: string;
  /** 0 means the group is optional; the item's base price already covers the default (e.g. Medium). */
  minChoices: number;
  maxChoices: number;
  options: MenuOption[];
}

export interface MenuItem {
  id: string;
  name: string;
  priceCents: Cents;
  category: string;
  description: string;
  aliases: string[];
  optionGroups: MenuOptionGroup[];
  /**
   * What the menu file says, applied at start-up (menu.repository.ts). Whether it is sold out right now is
   * MenuCatalog.isSoldOut: the owner can change it while the service runs.
   */
  soldOutInFile: boolean;
}

export interface Menu {
  currency: 'usd';
  items: MenuItem[];
  /** Distinct categories in the order they first appear in the file, for a menu read out by category. */
  categories: string[];
}
