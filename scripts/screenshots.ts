// node --import tsx scripts/screenshots.ts [--out docs]
// The README's dashboard screenshots (docs/dashboard-1440.png and docs/dashboard-390.png): the real app on a
// throwaway embedded database, a believable day of orders placed through its own API and voice webhook
// (the simulation's customers and baskets, mock payments with a few declines, two cancellations), spread over
// yesterday's lunch and dinner, then Debian's Chromium at a desktop and a phone width.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createContainer } from '../src/container.js';
import type { MenuView } from '../src/modules/menu/menu.schemas.js';
import { createRandom } from '../src/shared/seeded-random.js';
import { businessDateOf } from '../src/shared/zoned-time.js';
import { launchChromium } from '../test/helpers/browser.js';
import { randomBasket } from './lib/simulate/basket.js';
import { randomAddress, randomCustomer, randomNote } from './lib/simulate/customers.js';
import { newVoiceCall, toolCallsMessage } from './lib/simulate/vapi.js';

const ORDERS = 72;
/** Minutes after 11:00 where orders cluster: the lunch rush around 12:30, dinner around 19:00. */
const RUSHES = [
  { center: 90, spread: 40, share: 0.6 },
  { center: 480, spread: 50, share: 0.4 },
];

const outDir = path.resolve(process.argv.includes('--out') ? (process.argv.at(-1) ?? 'docs') : 'docs');
const random = createRandom('dashboard-screenshots');

const statement = (name: string, text: string) => ({ name, text });

function minuteOfDay(): number {
  const rush = random() < (RUSHES[0]?.share ?? 0.5) ? RUSHES[0] : RUSHES[1];
  if (!rush) return 90;
  // The sum of three uniforms: a bell without a library.
  const bell = (random() + random() + random() - 1.5) / 1.5;
  return Math.max(0, Math.min(650, Math.round(rush.center + bell * rush.spread * 2)));
}

async function main() {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'phone-orders-screenshots-'));
  const config = loadConfig({
    ENV_MODE: 'development',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    MAP_TILE_URL: '',
    PAYMENT_LINKS: 'off',
    MOCK_PAYMENT_FAILURE_RATE: '0.08',
    MOCK_GEO_FAILURE_RATE: '0.03',
    MOCK_SEED: 'dashboard-screenshots',
  });
  const container = await createContainer(config);
  const app = await buildApp(container);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  container.exportWorker.start();
  const browser = await launchChromium();
  try {
    const menu = (await (await fetch(`${base}/api/menu`)).json()) as MenuView;
    const phones = new Set<string>();
    for (let n = 0; n < ORDERS; n++) await placeOne(base, menu, phones, n);

    // Two orders the restaurant cancelled (refunded through the mock provider).
    const confirmed = await container.db.query<{ id: number }>(
      statement(
        'screenshots_paid',
        "SELECT id FROM orders WHERE status = 'confirmed' AND payment_status = 'succeeded' ORDER BY id LIMIT 2",
      ),
      [],
    );
    for (const { id } of confirmed) await fetch(`${base}/api/orders/${id}/cancel`, { method: 'POST' });

    // Exported first, so the backdating below is the last word on every row.
    for (let waited = 0; waited < 100; waited++) {
      const [row] = await container.db.query<{ n: number }>(
        statement(
          'screenshots_backlog',
          "SELECT count(*)::int AS n FROM orders WHERE status = 'confirmed' AND exported_at IS NULL",
        ),
        [],
      );
      if (!row || Number(row.n) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // Yesterday's whole day, so the chart has a lunch and a dinner whatever the hour this runs.
    const today = businessDateOf(new Date(), config.timeZone);
    const day = new Date(`${today}T12:00:00Z`);
    day.setUTCDate(day.getUTCDate() - 1);
    const yesterday = day.toISOString().slice(0, 10);
    const ids = (
      await container.db.query<{ id: number }>(
        statement('screenshots_ids', 'SELECT id FROM orders ORDER BY id'),
        [],
      )
    ).map((r) => r.id);
    const minutes = ids.map(() => minuteOfDay()).sort((a, b) => a - b);
    for (const [index, id] of ids.entries()) {
      await container.db.query(
        statement(
          'screenshots_backdate',
          `UPDATE orders SET business_date = $2::date,
           created_at = ($2::date + time '11:00' + make_interval(mins => $3)) AT TIME ZONE $4,
           updated_at = ($2::date + time '11:00' + make_interval(mins => $3 + 1)) AT TIME ZONE $4,
           exported_at = CASE WHEN exported_at IS NULL THEN NULL
             ELSE ($2::date + time '11:00' + make_interval(mins => $3 + 1)) AT TIME ZONE $4 END,
           cancelled_at = CASE WHEN cancelled_at IS NULL THEN NULL
             ELSE ($2::date + time '11:00' + make_interval(mins => $3 + 20)) AT TIME ZONE $4 END
         WHERE id = $1`,
        ),
        [id, yesterday, minutes[index] ?? 90, config.timeZone],
      );
    }

    for (const { width, height, file, expand } of [
      { width: 1440, height: 1500, file: 'dashboard-1440.png', expand: true },
      { width: 390, height: 1800, file: 'dashboard-390.png', expand: false },
    ]) {
      const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
      const page = await context.newPage();
      await page.goto(`${base}/dashboard`, { waitUntil: 'load' });
      await page.locator('[data-testid="connection"][data-state="live"]').waitFor();
      await page.locator('#date-picker').fill(yesterday);
      await page.locator('#date-picker').blur();
      await page.locator('[data-testid="order-row"]').first().waitFor();
      await page.locator('[data-testid="stat-orders"] .card-value:not(:text("0"))').waitFor();
      if (expand) {
        // One voice order open: its items, its words ("Pay on delivery") and its cancel button.
        const voice = page.locator('[data-testid="order-row"]:has(.source-voice)').nth(1);
        await voice.locator('.order-summary').click();
        await voice.locator('[data-testid="cancel-order"]').waitFor();
        // A tooltip, on the busiest hour after lunch's peak.
        const ranked: Array<{ hour: string; orders: number }> = [];
        for (const col of await page.locator('[data-testid="chart-hour"]').all()) {
          const label = (await col.getAttribute('aria-label')) ?? '';
          ranked.push({
            hour: (await col.getAttribute('data-hour')) ?? '',
            orders: Number(/— (\d+)/.exec(label)?.[1]),
          });
        }
        ranked.sort((a, b) => b.orders - a.orders);
        const hour = ranked[1]?.hour ?? '13';
        await page.locator(`[data-testid="chart-hour"][data-hour="${hour}"]`).hover();
      }
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(outDir, file), fullPage: false });
      console.log(`wrote ${path.join(outDir, file)} (${width} px wide)`);
      await context.close();
    }
  } finally {
    await browser.close();
    await app.close();
    await container.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

/** One order: 60% through the API, 40% by phone (the voice webhook); a few with an address that fails. */
async function placeOne(base: string, menu: MenuView, phones: Set<string>, n: number): Promise<void> {
  const customer = randomCustomer(random, phones);
  const delivery = random() < 0.65;
  const address = delivery ? randomAddress(random) : null;
  const basket = randomBasket(random, menu, delivery);
  const notes = randomNote(random, delivery);
  const badAddress = n % 23 === 11;
  const where = address
    ? {
        delivery_address: badAddress ? '7' : address.street,
        city: address.city,
        zip_code: address.zip,
      }
    : {};
  const items = basket.lines.map((l) => ({
    name: l.item.name,
    quantity: l.quantity,
    ...(l.options.length > 0 ? { options: l.options } : {}),
  }));
  const order = {
    customer_name: customer.name,
    fulfillment: delivery ? 'delivery' : 'pickup',
    ...where,
    items,
    ...(notes ? { notes } : {}),
  };
  if (random() < 0.6) {
    await fetch(`${base}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...order, customer_phone: customer.phone }),
    });
    return;
  }
  const call = newVoiceCall(customer.e164);
  const webhook = (message: object) =>
    fetch(`${base}/webhook/vapi`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
    });
  await webhook(toolCallsMessage(call, 'place_order', order, false));
  // The call's end, as Vapi reports it: what the details of a voice order show.
  const said = basket.lines.map((l) => `${l.quantity} ${l.item.name}`).join(', ');
  const first = customer.name.split(' ')[0] ?? customer.name;
  await webhook({
    message: {
      type: 'end-of-call-report',
      endedReason: 'customer-ended-call',
      call: { id: call.callId },
      customer: { number: customer.e164 },
      analysis: {
        summary: `${first} ordered ${said} for ${delivery ? 'delivery' : 'pickup'}, paying on ${delivery ? 'delivery' : 'pickup'}.`,
      },
      artifact: {
        transcript:
          `AI: Thanks for calling AI Pizza Palace, what can I get you?\nUser: Hi, it's ${first}. I'd like ${said}.\n` +
          `AI: Got it. ${delivery ? 'Where should we deliver?' : 'Pickup, is that right?'}\n` +
          `User: ${address ? `${address.street}, ${address.city}.` : 'Yes, I will pick it up.'}\n` +
          'AI: Your order is in. Thank you!',
      },
    },
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
