import type { AppConfig } from '../../config.js';
import { MenuCatalog } from '../menu/menu.matcher.js';
import type { Menu } from '../menu/menu.types.js';
import type { Restaurant } from './order-preparation.js';

/** The restaurant's rules (menu, hours, prices, delivery zone) from the configuration and its menu file. */
export function restaurantFromConfig(config: AppConfig, menu: Menu): Restaurant {
  return {
    name: config.restaurant.name,
    catalog: new MenuCatalog(menu),
    hours: config.restaurant.openingHours,
    pricing: {
      taxRatePpm: config.restaurant.taxRatePpm,
      deliveryFeeCents: config.restaurant.deliveryFeeCents,
    },
    zone: { center: config.restaurant.location, radiusKm: config.restaurant.deliveryRadiusKm },
  };
}
