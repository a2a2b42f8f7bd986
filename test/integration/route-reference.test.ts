// Every route the app serves is documented twice: in README.md's reference and in the OpenAPI document, and the
// document's token requirement (security + 401) is the one the guard enforces. Read from Fastify's own route
// table, so a route added without documentation fails here the day it is added.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProtected } from '../../src/http/dashboard-auth.js';
import { PROJECT_ROOT } from '../../src/shared/paths.js';
import { routesOf } from '../helpers/route-table.js';
import { STAGING_ON_MOCKS } from '../helpers/staging-env.js';
import { type TestApp, createTestApp } from '../helpers/test-app.js';

/** HEAD is Fastify's automatic twin of every GET route (exposeHeadRoutes): documented with its GET. */
const METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Files and pages served as they are, not API operations: neither the README nor the spec lists them. */
const NOT_DOCUMENTED = [
  /^\/docs\/.*/, // Swagger UI's own files and its copies of the spec (/docs/, /docs/static/*, /docs/json, /docs/yaml)
  /^\/redoc\/static\/.*/, // ReDoc's bundle
  /^\/dashboard\/assets\/\*$/, // the dashboard's scripts and styles
  /^\/vendor\/leaflet\/\*$/, // the map library
];
/** The documentation itself: in the README's reference, not an operation of the spec it serves. */
const README_ONLY = ['/docs', '/redoc', '/openapi.json'];

interface Route {
  method: HTTPMethods;
  /** Fastify's pattern, /api/orders/:id */
  pattern: string;
  /** OpenAPI's, /api/orders/{id} */
  path: string;
}

function documentedRoutes(app: FastifyInstance): Route[] {
  return METHODS.flatMap((method) =>
    routesOf(app, method)
      .filter((pattern) => !NOT_DOCUMENTED.some((rule) => rule.test(pattern)))
      .map((pattern) => ({ method, pattern, path: pattern.replace(/:(\w+)/g, '{$1}') })),
  );
}

/** The README from its "Reference" heading to the next heading of the same level. */
async function readmeReference(): Promise<string> {
  const readme = await fs.readFile(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  const start = readme.search(/^## Reference$/m);
  expect(start, 'README.md has a "## Reference" section').toBeGreaterThanOrEqual(0);
  const rest = readme.slice(start + 3);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** True when a table row of `reference` has `method` in its first cell and `path` in backticks in its second. */
function listed(reference: string, method: string, routePath: string): boolean {
  return reference.split('\n').some((line) => {
    const cells = line.split('|').map((cell) => cell.trim());
    const methods = cells[1]?.split(/[\s,/]+/) ?? [];
    return methods.includes(method) && (cells[2] ?? '').includes(`\`${routePath}\``);
  });
}

type Operation = { security?: unknown[]; responses?: Record<string, unknown> };
type Spec = {
  paths: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: Record<string, { type: string; scheme?: string; in?: string }> };
};

describe('the route table, the README and the OpenAPI document', () => {
  let dev: TestApp;
  let spec: Spec;
  let routes: Route[];

  beforeAll(async () => {
    // Development: every route is registered (the mock checkout pages and the simulation webhook too).
    dev = await createTestApp('pglite');
    spec = (await dev.app.inject('/openapi.json')).json<Spec>();
    routes = documentedRoutes(dev.app);
  });
  afterAll(async () => dev.close());

  it('reads a route table of the expected size (the reader of printRoutes still works)', () => {
    expect(routes.length).toBeGreaterThan(25); // 30 when this was written
    expect(routes).toContainEqual({ method: 'GET', pattern: '/api/orders/:id', path: '/api/orders/{id}' });
    expect(routes).toContainEqual({
      method: 'POST',
      pattern: '/dashboard/logout',
      path: '/dashboard/logout',
    });
  });

  it("lists every route in README.md's reference, as METHOD and `path`", async () => {
    const reference = await readmeReference();
    const missing = routes
      .filter((r) => !listed(reference, r.method, r.path))
      .map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it('has every route but the documentation pages in the OpenAPI document, and nothing else', () => {
    const operations = routes.filter((r) => !README_ONLY.includes(r.pattern));
    const missing = operations.filter((r) => !spec.paths[r.path]?.[r.method.toLowerCase()]);
    expect(missing.map((r) => `${r.method} ${r.path}`)).toEqual([]);
    const inSpec = Object.entries(spec.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(inSpec.sort()).toEqual(operations.map((r) => `${r.method} ${r.path}`).sort());
  });

  it("lists every npm script in the README's Commands table", async () => {
    const reference = await readmeReference();
    const commands = reference.slice(reference.search(/^### Commands$/m));
    const pkg = JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const shown = (name: string) => (['start', 'test'].includes(name) ? `npm ${name}` : `npm run ${name}`);
    // prestart and preworker are npm's hooks (the build before them), not commands anyone types.
    const commandNames = Object.keys(pkg.scripts).filter((name) => !/^pre(start|worker)$/.test(name));
    const missing = commandNames.filter((name) => !commands.includes(`\`${shown(name)}\``));
    expect(missing).toEqual([]);
  });

  it('declares the token as bearer and as the session cookie', () => {
    expect(spec.components?.securitySchemes).toEqual({
      dashboardToken: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      dashboardSession: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'dashboard_session' }),
    });
  });

  it('gives exactly the guarded routes the token requirement and their 401 (the page its redirect)', () => {
    for (const route of routes.filter((r) => !README_ONLY.includes(r.pattern))) {
      const operation = spec.paths[route.path]?.[route.method.toLowerCase()];
      const label = `${route.method} ${route.path}`;
      if (isProtected(route.method, route.pattern)) {
        expect(operation?.security, label).toEqual([{ dashboardToken: [] }, { dashboardSession: [] }]);
        const refusal = route.pattern === '/dashboard' ? '303' : '401';
        expect(Object.keys(operation?.responses ?? {}), label).toContain(refusal);
      } else {
        expect(operation?.security, label).toBeUndefined();
      }
    }
  });

  describe('in staging (the token required)', () => {
    let staging: TestApp;
    beforeAll(async () => {
      staging = await createTestApp('pglite', STAGING_ON_MOCKS);
    });
    afterAll(async () => staging.close());

    it('refuses every route the document says needs the token, without one, as documented', async () => {
      const guarded = routes.filter((r) => isProtected(r.method, r.pattern));
      expect(guarded.length).toBeGreaterThan(8);
      for (const route of guarded) {
        const url = route.pattern.replace(':date', '2026-01-05').replace(/:\w+/g, '1');
        const res = await staging.app.inject({ method: route.method, url });
        const label = `${route.method} ${url}`;
        if (route.pattern === '/dashboard') {
          expect(res.statusCode, label).toBe(303);
          expect(res.headers.location, label).toBe('/dashboard/login');
        } else {
          expect(res.statusCode, label).toBe(401);
          expect(res.json<{ error: string }>().error, label).toBe('unauthorized');
        }
      }
    });

    it('answers the open routes without the token (none is refused 401)', async () => {
      const open = routes.filter(
        (r) => !isProtected(r.method, r.pattern) && r.method === 'GET' && !r.pattern.includes(':'),
      );
      for (const route of open) {
        const res = await staging.app.inject({ method: 'GET', url: route.pattern });
        expect(res.statusCode, route.pattern).not.toBe(401);
      }
    });
  });
});
