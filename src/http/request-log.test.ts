// The request log line names the matched route and the query parameters, never their values.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RequestLogFields, requestLogFields } from './request-log.js';

describe('requestLogFields', () => {
  let app: FastifyInstance;
  let seen: RequestLogFields | undefined;
  beforeAll(async () => {
    app = Fastify();
    app.addHook('onResponse', async (request) => {
      seen = requestLogFields(request);
    });
    app.get('/api/orders', async () => ({}));
    app.get('/api/orders/:id', async () => ({}));
    await app.ready();
  });
  afterAll(() => app.close());

  const fieldsOf = async (url: string, method: 'GET' | 'POST' = 'GET') => {
    seen = undefined;
    await app.inject({ method, url });
    return seen as RequestLogFields | undefined;
  };

  it('gives the route pattern and the parameter names, sorted and each once', async () => {
    expect(await fieldsOf('/api/orders?q=Zelda%20Quill&page=2&q=555-867-5309&token=sk_live_x')).toEqual({
      method: 'GET',
      route: '/api/orders',
      query: ['page', 'q', 'token'],
    });
    expect(await fieldsOf('/api/orders/42')).toEqual({ method: 'GET', route: '/api/orders/:id' });
    expect(await fieldsOf('/api/orders?')).toEqual({ method: 'GET', route: '/api/orders' });
  });

  it('gives an unmatched request its path without the query string, bounded', async () => {
    expect(await fieldsOf('/api/customers?name=Zelda', 'POST')).toEqual({
      method: 'POST',
      path: '/api/customers',
      query: ['name'],
    });
    const long = await fieldsOf(
      `/${'x'.repeat(500)}?${Array.from({ length: 50 }, (_, i) => `p${i}${'n'.repeat(60)}=1`).join('&')}`,
    );
    expect(long?.path).toHaveLength(200);
    expect(long?.query).toHaveLength(20);
    expect(long?.query?.every((name) => name.length <= 40)).toBe(true);
  });
});
