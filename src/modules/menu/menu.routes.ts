import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { MenuService } from './menu.service.js';
import { MenuQuery, MenuView } from './menu.schemas.js';

export const menuRoutes: FastifyPluginAsyncTypebox<{ menu: MenuService }> = async (app, { menu }) => {
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
};
