// Swagger UI (/docs) and ReDoc (/redoc) render in a real browser (Debian Chromium through playwright-core) under
// the app's Content-Security-Policy: the API's title and operations on screen, no script error, and no
// policy violation (ReDoc's footer logo, on cdn.redoc.ly upstream, is served from this app).
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../helpers/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, createTestApp } from '../helpers/test-app.js';

const hasChromium = existsSync(CHROMIUM);
const inCi = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

if (!hasChromium && inCi) {
  describe('API docs in a browser', () => {
    it('needs Chromium', () => {
      throw new Error(`Chromium not found at ${CHROMIUM}; CI must install it (apt-get install chromium).`);
    });
  });
} else if (!hasChromium) {
  console.warn(`[docs.browser.test] skipped: Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
}

describe.skipIf(!hasChromium)('API docs in a browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestApp('pglite');
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await t?.close();
  });

  /** Opens `path`, waits for `ready`, and returns the page's text with every console error and CSP violation. */
  async function render(path: string, ready: string) {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    await page.exposeFunction('reportViolation', (text: string) => errors.push(`csp: ${text}`));
    // Runs in the page (a string: this project compiles without the DOM types).
    await page.addInitScript({
      content: `document.addEventListener('securitypolicyviolation', (event) =>
        window.reportViolation(event.effectiveDirective + ' ' + event.blockedURI));`,
    });
    const response = await page.goto(`${base}${path}`, { waitUntil: 'load', timeout: 15_000 });
    await page.locator(ready).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
    const text = await page.locator('body').innerText();
    await page.close();
    // The browser asks for /favicon.ico on its own; this app has none.
    return { status: response?.status(), text, errors: errors.filter((e) => !/status of 404/.test(e)) };
  }

  it('renders Swagger UI at /docs with no script error or policy violation', async () => {
    const { status, text, errors } = await render('/docs', '.opblock-summary-path');
    expect(status).toBe(200);
    expect(text).toContain('AI Pizza Palace ordering API');
    expect(text).toContain('/api/orders/quote');
    expect(errors).toEqual([]);
  }, 40_000);

  it('renders ReDoc at /redoc with its blob: search worker allowed and nothing loaded off the app', async () => {
    const { status, text, errors } = await render('/redoc', '[role="search"] input, .search-input');
    expect(status).toBe(200);
    expect(text).toContain('AI Pizza Palace ordering API');
    expect(text).toContain('Place an order');
    expect(errors).toEqual([]);
    expect(errors.join('\n')).not.toMatch(/worker-src|blob:/);
  }, 40_000);
});
