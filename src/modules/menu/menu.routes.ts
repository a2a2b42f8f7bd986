import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/schemas/common.js';
import { strictValidatorCompiler } from '../../http/strict-validation.js';
import type { MenuAvailability } from './menu-availability.js';
import type { MenuService } from './menu.service.js';
import {
  MenuItemAvailabilityBody,
  MenuItemParams,
  MenuItemView,
  MenuQuery,
  MenuView,
} from './menu.schemas.js';

export interface MenuRoutesOptions {
  menu: MenuService;
  availability: MenuAvailability;
}

export const menuRoutes: FastifyPluginAsyncTypebox<MenuRoutesOptions> = async (
  app,
  { menu, availability },
) => {
  app.get(
    '/api/menu',
    {
      schema: {
        tags: ['menu'],
        summary: 'The menu with prices, aliases and options',
        querystring: MenuQuery,
        response: { 200: MenuView },
      },
    },
    async (request) => menu.view(request.query.category),
  );

  app.patch(
    '/api/menu/items/:id',
    {
      schema: {
        tags: ['menu'],
        summary: 'Mark an item sold out today, or back on sale',
        description:
          'Orders for a sold-out item are refused (422 sold_out) by every API process within seconds; ' +
          'a restart keeps the flag.',
        params: MenuItemParams,
        body: MenuItemAvailabilityBody,
        response: { 200: MenuItemView, ...errorResponses(400, 401, 404, 413, 415, 422, 503) },
      },
      // null or "no" must be refused, not read as false: that would put the item back on sale.
      validatorCompiler: strictValidatorCompiler,
    },
    async (request) => {
      await availability.setSoldOut(request.params.id, request.body.sold_out);
      return menu.item(request.params.id);
    },
  );
};
