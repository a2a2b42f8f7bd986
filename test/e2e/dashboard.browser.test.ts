// The live dashboard in a real browser (Debian Chromium through playwright-core) against a real server
// process: it loads with no console errors and no request off the app's origin, new orders appear in the
// feed within a second over server-sent events, rows expand to their details, the map has one marker per
// delivered order, customer text is never interpreted as HTML, it fits a 390px phone, and it reconnects by
// itself after the server restarts.
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../helpers/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/shared/paths.js';
import { type Running, freePort, startNode, stop, waitForHealth } from '../helpers/processes.js';

const hasChromium = existsSync(CHROMIUM);
const inCi = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts');

if (!hasChromium && inCi) {
  describe('dashboard in a browser', () => {
    it('needs Chromium', () => {
      throw new Error(`Chromium not found at ${CHROMIUM}; CI must install it (apt-get install chromium).`);
    });
  });
} else if (!hasChromium) {
  console.warn(
    `[dashboard.browser.test] skipped: Chromium not found at ${CHROMIUM} (apt-get install chromium)`,
  );
}

interface PlacedOrder {
  id: number;
  status: string;
  total: number;
  latitude: number | null;
  longitude: number | null;
  fulfillment: string;
}

const orderBody = (overrides: Record<string, unknown> = {}) => ({
  customer_name: 'Dana Browser',
  customer_phone: '555-123-4567',
  delivery_address: '350 Fifth Avenue',
  city: 'New York',
  zip_code: '10001',
  items: [
    { name: 'Pizza Margherita', quantity: 2 },
    { name: 'Coke', quantity: 2 },
  ],
  ...overrides,
});

describe.skipIf(!hasChromium)('dashboard in a browser', () => {
  let dataDir: string;
  let port: number;
  let base: string;
  let server: Running;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  const placed: PlacedOrder[] = [];

  const env = () => ({
    DATA_DIR: dataDir,
    PORT: String(port),
    MOCK_PAYMENT_FAILURE_RATE: '0',
    MOCK_GEO_FAILURE_RATE: '0',
    MAP_TILE_URL: '',
    EXPORT_SWEEP_SECONDS: '0.5',
  });

  async function startServer() {
    server = startNode('src/server.ts', env());
    await waitForHealth(base, server);
  }

  async function placeOrder(overrides: Record<string, unknown> = {}): Promise<PlacedOrder> {
    const res = await fetch(`${base}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(orderBody(overrides)),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as PlacedOrder;
    expect(res.status, JSON.stringify(body)).toBe(201);
    placed.push(body);
    return body;
  }

  const row = (id: number) => page.locator(`[data-testid="order-row"][data-order-id="${id}"]`);
  const statValue = (testId: string) => page.locator(`[data-testid="${testId}"] .card-value`);

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'phone-orders-dashboard-'));
    await fs.mkdir(ARTIFACTS, { recursive: true });
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    await startServer();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
    page.on('request', (req) => requests.push(req.url()));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (server) await stop(server, 'SIGTERM', 5_000);
    await fs.rm(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('loads with no console errors and every request on the app origin', async () => {
    await page.goto(`${base}/dashboard`, { waitUntil: 'load', timeout: 15_000 });
    await expect
      .poll(() => page.locator('[data-testid="connection"]').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('live');
    await expect.poll(() => statValue('stat-orders').textContent(), { timeout: 5_000 }).toBe('0');
    await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
    expect(await page.locator('#map.leaflet-container').count()).toBe(1);
    expect(consoleErrors).toEqual([]);
    const foreign = requests.filter((url) => !url.startsWith(`${base}/`) && !url.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(requests.some((url) => url.startsWith(`${base}/vendor/leaflet/leaflet.js`))).toBe(true);
  }, 40_000);

  it('shows orders placed through the API within a second and updates the order count', async () => {
    for (let i = 1; i <= 3; i++) {
      const order = await placeOrder({ customer_name: `Live Customer ${i}` });
      const started = performance.now();
      await row(order.id).waitFor({ state: 'visible', timeout: 1_000 });
      const elapsed = performance.now() - started;
      expect(elapsed).toBeLessThan(1_000);
      await expect
        .poll(() => row(order.id).locator('.customer-name').textContent(), { timeout: 1_000 })
        .toBe(`Live Customer ${i}`);
    }
    await expect.poll(() => statValue('stat-orders').textContent(), { timeout: 3_000 }).toBe('3');
    // Newest first.
    const firstId = await page.locator('[data-testid="order-row"]').first().getAttribute('data-order-id');
    expect(Number(firstId)).toBe(placed[placed.length - 1]!.id);
  }, 30_000);

  it('expands a row to its items and totals, with the keyboard too', async () => {
    const order = placed[0]!;
    const summary = row(order.id).locator('.order-summary');
    await summary.click();
    const details = row(order.id).locator('[data-testid="order-details"]');
    await details.waitFor({ state: 'visible', timeout: 2_000 });
    await expect.poll(() => details.textContent(), { timeout: 2_000 }).toContain('Pizza Margherita');
    const text = (await details.textContent()) ?? '';
    for (const expected of ['Coke', '$35.96', '$3.19', '$5.99', '$45.14', 'Paid by card', '40.74844']) {
      expect(text).toContain(expected);
    }
    // Words, not the API's codes.
    expect(text).toContain('FulfillmentDelivery');
    expect(text).not.toMatch(/succeeded|due_on_delivery|\bdelivery\b/);
    expect(await summary.getAttribute('aria-expanded')).toBe('true');

    // Enter on the focused row collapses and expands it again.
    await summary.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => summary.getAttribute('aria-expanded'), { timeout: 2_000 }).toBe('false');
    await page.keyboard.press('Enter');
    await expect.poll(() => summary.getAttribute('aria-expanded'), { timeout: 2_000 }).toBe('true');
    await summary.click();
    await expect.poll(() => summary.getAttribute('aria-expanded'), { timeout: 2_000 }).toBe('false');
  }, 20_000);

  it('puts one marker per delivered order on the map; clicking one expands its row', async () => {
    const elsewhere = await placeOrder({ customer_name: 'Map Customer', delivery_address: '77 Broadway' });
    await row(elsewhere.id).waitFor({ state: 'visible', timeout: 2_000 });
    const res = await fetch(`${base}/api/orders?page=1&page_size=100`);
    const { orders } = (await res.json()) as { orders: PlacedOrder[] };
    const delivered = orders.filter(
      (o) =>
        o.status === 'confirmed' && o.fulfillment !== 'pickup' && o.latitude !== null && o.longitude !== null,
    );
    expect(delivered.length).toBeGreaterThanOrEqual(4);
    await expect
      .poll(() => page.locator('#map').getAttribute('data-marker-count'), { timeout: 2_000 })
      .toBe(String(delivered.length));
    expect(await page.locator('[data-testid="order-marker"]').count()).toBe(delivered.length);

    await page
      .locator(`[data-testid="order-marker"][data-order-id="${elsewhere.id}"]`)
      .click({ timeout: 3_000 });
    const summary = row(elsewhere.id).locator('.order-summary');
    await expect.poll(() => summary.getAttribute('aria-expanded'), { timeout: 2_000 }).toBe('true');
    // Scrolled into view.
    await expect
      .poll(
        async () => {
          const box = await row(elsewhere.id).boundingBox();
          const viewport = page.viewportSize();
          return !!box && !!viewport && box.y < viewport.height && box.y + box.height > 0;
        },
        { timeout: 2_000 },
      )
      .toBe(true);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-desktop.png'), fullPage: true });
  }, 20_000);

  it('shows customer text literally: no element is created and no script runs', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const order = await placeOrder({ customer_name: evil });
    await row(order.id).waitFor({ state: 'visible', timeout: 2_000 });
    expect(await row(order.id).locator('.customer-name').textContent()).toBe(evil);
    await row(order.id).locator('.order-summary').click();
    await expect
      .poll(() => row(order.id).locator('[data-testid="order-details"]').textContent(), { timeout: 2_000 })
      .toContain(evil);
    expect(await page.locator('#orders img').count()).toBe(0);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
  }, 20_000);

  it('fits a 390px phone: cards and orders visible, no horizontal overflow', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(200);
    expect(await page.locator('[data-testid="stat-revenue"]').isVisible()).toBe(true);
    expect(await page.locator('[data-testid="stat-orders"]').isVisible()).toBe(true);
    expect(await page.locator('[data-testid="order-row"]').first().isVisible()).toBe(true);
    const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(scrollWidth).toBeLessThanOrEqual(391);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 20_000);

  it('reconnects by itself after a server restart and shows orders placed afterwards', async () => {
    const indicator = page.locator('[data-testid="connection"]');
    expect(await stop(server, 'SIGTERM', 10_000)).toBe(0);
    await expect.poll(() => indicator.getAttribute('data-state'), { timeout: 5_000 }).toBe('reconnecting');
    await startServer();
    await expect.poll(() => indicator.getAttribute('data-state'), { timeout: 10_000 }).toBe('live');
    const order = await placeOrder({ customer_name: 'After Restart' });
    await row(order.id).waitFor({ state: 'visible', timeout: 2_000 });
    const count = placed.filter((o) => o.status === 'confirmed').length;
    await expect.poll(() => statValue('stat-orders').textContent(), { timeout: 3_000 }).toBe(String(count));
    const foreign = requests.filter((url) => !url.startsWith(`${base}/`) && !url.startsWith('data:'));
    expect(foreign).toEqual([]);
  }, 60_000);
});
