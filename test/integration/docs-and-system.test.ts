// The system surface on the embedded backend: service info, health, the OpenAPI document, both documentation
// pages with the assets they load (served locally, no CDN), the menu, and request ids on every answer.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, createTestApp } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';

interface OpenApiOperation {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
}
interface MenuItem {
  id: string;
  name: string;
  price: number;
  category: string;
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);
const BASE = 'http://localhost';

const backend = availableBackends()[0] ?? 'pglite';

describe(`docs and system routes on ${backend}`, () => {
  let t: TestApp;
  const responses: LightMyRequestResponse[] = [];
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(async () => t?.close());

  /** Every request goes through here so the last test can check all answers for x-request-id. */
  async function request(options: InjectOptions | string): Promise<LightMyRequestResponse> {
    const res = await t.app.inject(options);
    responses.push(res);
    return res;
  }

  /** GET following redirects like a browser; returns the final answer and its path. */
  async function browse(path: string): Promise<{ res: LightMyRequestResponse; url: string }> {
    let url = path;
    for (let hop = 0; hop < 5; hop++) {
      const res = await request(url);
      const location = res.headers.location;
      if (res.statusCode < 300 || res.statusCode >= 400 || typeof location !== 'string') return { res, url };
      const next = new URL(location, BASE + url);
      url = next.pathname + next.search;
    }
    throw new Error(`${path}: too many redirects`);
  }

  /** The script and stylesheet addresses an HTML page loads, resolved against the page's own path. */
  function assetsOf(html: string, pageUrl: string): { scripts: string[]; styles: string[] } {
    const resolve = (ref: string) => {
      const u = new URL(ref, BASE + pageUrl);
      return u.pathname + u.search;
    };
    const scripts = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => resolve(m[1] as string));
    const styles = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) =>
      resolve(m[1] as string),
    );
    return { scripts, styles };
  }

  it('GET / names the service, its version, mode and links', async () => {
    const res = await request('/');
    expect(res.statusCode).toBe(200);
    const body = res.json<{ name: string; version: string; mode: string; links: Record<string, string> }>();
    expect(body.name).toBe('AI Pizza Palace');
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.mode).toBe('development');
    expect(body.links).toMatchObject({
      health: '/health',
      docs: '/docs',
      redoc: '/redoc',
      openapi: '/openapi.json',
      menu: '/api/menu',
      orders: '/api/orders',
    });
  });

  it('GET /health reports the database up and the mock services', async () => {
    const res = await request('/health');
    expect(res.statusCode).toBe(200);
    const body = res.json<{
      status: string;
      mode: string;
      database: { kind: string; ok: boolean; error: string | null };
      services: { payment: string; geo: string; sms: string };
      queue: { kind: string; ok: boolean; waiting: number };
      exports: { backlog: number; worker: unknown };
    }>();
    // This app runs no export worker: orders work, exports would lag, so the service says so.
    expect(body.status).toBe('degraded');
    expect(body.exports).toEqual({ backlog: 0, worker: null });
    expect(body.queue).toMatchObject({ kind: 'embedded', ok: true, waiting: 0 });
    expect(body.mode).toBe('development');
    expect(body.database).toMatchObject({ kind: backend, ok: true, error: null });
    expect(body.services).toEqual({ payment: 'mock', geo: 'mock', sms: 'mock' });
  });

  describe('GET /openapi.json', () => {
    let spec: OpenApiDocument;
    beforeAll(async () => {
      const res = await request('/openapi.json');
      expect(res.statusCode).toBe(200);
      spec = res.json<OpenApiDocument>();
    });

    it('is an OpenAPI 3 document with every public path', () => {
      expect(spec.openapi).toMatch(/^3\.\d+\.\d+$/);
      expect(spec.info.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(Object.keys(spec.paths)).toEqual(
        expect.arrayContaining([
          '/',
          '/health',
          '/api/menu',
          '/api/orders',
          '/api/orders/{id}',
          '/api/orders/quote',
        ]),
      );
      expect(Object.keys(spec.paths['/api/orders'] ?? {})).toEqual(expect.arrayContaining(['get', 'post']));
      expect(spec.paths['/api/orders/{id}']?.get).toBeDefined();
      expect(spec.paths['/api/orders/quote']?.post).toBeDefined();
    });

    it('gives every operation a 2xx response schema, or only redirects (the dashboard login and logout)', () => {
      const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
        Object.entries(item)
          .filter(([method]) => HTTP_METHODS.has(method))
          .map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
      );
      expect(operations.length).toBeGreaterThanOrEqual(7);
      const withoutSchema = operations
        .filter(({ op }) => {
          const statuses = Object.keys(op.responses ?? {});
          if (statuses.some((status) => /^3\d\d$/.test(status)) && !statuses.some((s) => /^2\d\d$/.test(s)))
            return false;
          const ok = Object.entries(op.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
          return !ok.some(([, r]) => r.content?.['application/json']?.schema !== undefined);
        })
        .map(({ name }) => name);
      expect(withoutSchema).toEqual([]);
    });

    it('describes POST /api/orders: request body and its 402, 422 and 503 answers', () => {
      const post = spec.paths['/api/orders']?.post;
      const body = post?.requestBody?.content?.['application/json']?.schema as
        { type: string; required: string[]; properties: Record<string, unknown> } | undefined;
      expect(body?.type).toBe('object');
      expect(body?.required).toEqual(expect.arrayContaining(['customer_name', 'customer_phone', 'items']));
      expect(Object.keys(body?.properties ?? {})).toEqual(
        expect.arrayContaining(['delivery_address', 'zip_code']),
      );
      for (const status of ['201', '402', '422', '503']) {
        expect(post?.responses?.[status]?.content?.['application/json']?.schema, status).toBeDefined();
      }
    });
  });

  it('GET /docs serves Swagger UI and every asset it loads', async () => {
    const { res, url } = await browse('/docs');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const { scripts, styles } = assetsOf(res.body, url);
    expect(scripts.some((s) => s.endsWith('/swagger-ui-bundle.js'))).toBe(true);
    for (const script of scripts) {
      const asset = await request(script);
      expect(asset.statusCode, script).toBe(200);
      expect(asset.headers['content-type'], script).toMatch(/javascript/);
      expect(asset.body.length, script).toBeGreaterThan(0);
    }
    for (const style of styles) {
      const asset = await request(style);
      expect(asset.statusCode, style).toBe(200);
      expect(asset.headers['content-type'], style).toMatch(/^text\/css/);
    }
  });

  it('GET /redoc serves ReDoc with its standalone bundle from this app', async () => {
    const { res, url } = await browse('/redoc');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('/openapi.json');
    const { scripts } = assetsOf(res.body, url);
    expect(scripts).toContain('/redoc/static/redoc.standalone.js');
    const bundle = await request('/redoc/static/redoc.standalone.js');
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    expect(bundle.body.length).toBeGreaterThan(100_000);
  });

  describe('GET /api/menu', () => {
    it('lists about twenty items with the seed prices', async () => {
      const res = await request('/api/menu');
      expect(res.statusCode).toBe(200);
      const menu = res.json<{
        currency: string;
        tax_rate: number;
        delivery_fee: number;
        items: MenuItem[];
      }>();
      expect(menu).toMatchObject({ currency: 'usd', tax_rate: 0.08875, delivery_fee: 5.99 });
      expect(menu.items.length).toBeGreaterThanOrEqual(15);
      expect(menu.items.length).toBeLessThanOrEqual(30);
      expect(menu.items.find((i) => i.name === 'Pizza Margherita')?.price).toBe(14.99);
      expect(menu.items.find((i) => i.name === 'Coke')?.price).toBe(2.99);
    });

    it.each(['drinks', 'DRINKS', 'Drinks'])('?category=%s filters case-insensitively', async (category) => {
      const res = await request(`/api/menu?category=${category}`);
      expect(res.statusCode).toBe(200);
      const items = res.json<{ items: MenuItem[] }>().items;
      expect(items.length).toBeGreaterThan(0);
      expect(items.every((i) => i.category.toLowerCase() === 'drinks')).toBe(true);
      expect(items.map((i) => i.name)).toContain('Coke');
      expect(items.map((i) => i.name)).not.toContain('Pizza Margherita');
    });
  });

  describe('request ids', () => {
    it('echoes a given x-request-id', async () => {
      const res = await request({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
      expect(res.headers['x-request-id']).toBe('abc-123');
    });

    it('echoes it on errors too', async () => {
      const res = await request({
        method: 'GET',
        url: '/api/orders/abc',
        headers: { 'x-request-id': 'abc-123' },
      });
      expect(res.statusCode).toBe(422);
      expect(res.headers['x-request-id']).toBe('abc-123');
    });

    it('makes up a distinct id when none is given, on every answer of this file', async () => {
      await request('/no-such-page');
      expect(responses.length).toBeGreaterThan(10);
      const missing = responses.filter(
        (r) => typeof r.headers['x-request-id'] !== 'string' || r.headers['x-request-id'] === '',
      );
      expect(missing.map((r) => `${r.statusCode} ${r.body.slice(0, 80)}`)).toEqual([]);
      const generated = responses.map((r) => r.headers['x-request-id']).filter((id) => id !== 'abc-123');
      expect(new Set(generated).size).toBe(generated.length);
    });
  });
});
