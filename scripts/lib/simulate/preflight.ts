// Checks before the rush, each printed as it runs: the service is healthy, the menu has items and the
// restaurant is open, one test order goes through (and can be read back, which verification needs), and,
// when voice orders are in the mix, the Vapi webhook accepts our secret. The menu is returned for the plan.
import { randomUUID } from 'node:crypto';
import type { MenuView } from '../../../src/modules/menu/menu.schemas.js';
import { formatDollars } from '../../../src/shared/money.js';
import { readDirectAnswer } from './answers.js';
import { type ServiceClient, errorOf, isRecord } from './http.js';
import { seedExampleBody } from './plan.js';
import { newVoiceCall, toolCallsMessage, vapiHeaders } from './vapi.js';

export interface Check {
  ok: boolean;
  label: string;
  detail: string;
}

/** A declined or timed-out test order is the mocks at work, not a broken service: try a few times. */
const TEST_ORDER_ATTEMPTS = 3;

export async function checkHealth(client: ServiceClient): Promise<Check> {
  const label = 'GET /health';
  const answer = await client.get('/health');
  if (answer.status === 0) return fail(label, `no answer from ${client.baseUrl}: ${answer.error ?? ''}`);
  const body = isRecord(answer.body) ? answer.body : {};
  const status = typeof body.status === 'string' ? body.status : 'unknown';
  if (answer.status !== 200 || status === 'unavailable') return fail(label, `${answer.status} ${status}`);
  const database =
    isRecord(body.database) && typeof body.database.kind === 'string' ? body.database.kind : '?';
  // Degraded = orders work but exports lag (no worker heartbeat): worth saying, not worth stopping for.
  const note = status === 'degraded' ? ' (degraded: exports may lag; is the export worker running?)' : '';
  return { ok: true, label, detail: `${status}, database ${database}${note}` };
}

export async function fetchMenu(client: ServiceClient): Promise<{ check: Check; menu: MenuView | null }> {
  const label = 'GET /api/menu';
  const answer = await client.get('/api/menu');
  const menu = answer.status === 200 && isRecord(answer.body) ? (answer.body as unknown as MenuView) : null;
  if (!menu || !Array.isArray(menu.items)) {
    return { check: fail(label, `${answer.status || 'no answer'} ${errorOf(answer).message}`), menu: null };
  }
  if (menu.items.length === 0) return { check: fail(label, 'the menu has no items'), menu: null };
  if (!menu.open_now) {
    const when = menu.next_opening_at ? `; it opens at ${menu.next_opening_at}` : '';
    return { check: fail(label, `the restaurant is closed now, every order would be refused${when}`), menu };
  }
  const detail = `${menu.items.length} items in ${menu.categories.length} categories, open now`;
  return { check: { ok: true, label, detail }, menu };
}

/** Places the seed's example order; returns its id so verification can follow it too. */
export async function placeTestOrder(
  client: ServiceClient,
): Promise<{ check: Check; orderId: number | null }> {
  const label = 'Test order (POST /api/orders)';
  const tried: string[] = [];
  for (let attempt = 1; attempt <= TEST_ORDER_ATTEMPTS; attempt++) {
    const http = await client.post('/api/orders', JSON.stringify(seedExampleBody()), {
      'idempotency-key': `sim-preflight-${randomUUID()}`,
    });
    const answer = readDirectAnswer(http, 1);
    if (answer.orderId !== null) {
      const readable = await client.get(`/api/orders/${answer.orderId}`);
      if (readable.status !== 200) {
        const hint = readable.status === 401 ? ': pass --token or set DASHBOARD_TOKEN' : '';
        return {
          check: fail(
            label,
            `#${answer.orderId} placed, but reading it back answered ${readable.status}${hint}`,
          ),
          orderId: null,
        };
      }
      const total = answer.totalCents === null ? '?' : formatDollars(answer.totalCents);
      return {
        check: { ok: true, label, detail: `#${answer.orderId} confirmed, total ${total}` },
        orderId: answer.orderId,
      };
    }
    const failure = answer.failure ?? { reason: 'unknown', message: '', expected: false };
    tried.push(`${answer.status || 'no answer'} ${failure.reason}: ${failure.message}`);
    if (!failure.expected || failure.reason === 'restaurant_closed') break;
  }
  return { check: fail(label, tried.join(' | ')), orderId: null };
}

/** A get_menu tool call through the authenticated webhook: proves the secret before voice orders rely on it. */
export async function checkVapiWebhook(client: ServiceClient, secret: string | null): Promise<Check> {
  const label = 'Vapi webhook (get_menu tool call)';
  const call = newVoiceCall('+12125550199');
  const message = toolCallsMessage(call, 'get_menu', {}, false);
  const answer = await client.post('/webhook/vapi', JSON.stringify(message), vapiHeaders(secret));
  if (answer.status === 401) {
    const why = secret ? 'refused our secret' : 'needs a secret';
    return fail(label, `401: the webhook ${why}; pass --vapi-secret or set VAPI_WEBHOOK_SECRET`);
  }
  const results = isRecord(answer.body) && Array.isArray(answer.body.results) ? answer.body.results : [];
  const first: unknown = results[0];
  if (answer.status !== 200 || !isRecord(first) || typeof first.result !== 'string') {
    return fail(label, `${answer.status || 'no answer'} ${errorOf(answer).message}`);
  }
  return { ok: true, label, detail: `answered (${first.result.length} characters)` };
}

function fail(label: string, detail: string): Check {
  return { ok: false, label, detail };
}

export interface Preflight {
  ok: boolean;
  menu: MenuView | null;
  testOrderId: number | null;
}

/**
 * The checks in order, stopping at the first failure. With `skip`, only the menu is fetched (the payloads
 * need it) and nothing is printed unless that fails.
 */
export async function runPreflight(
  client: ServiceClient,
  options: { skip: boolean; withVoice: boolean; vapiSecret: string | null },
  onCheck: (check: Check) => void,
): Promise<Preflight> {
  const failed = (check: Check, menu: MenuView | null = null): Preflight => {
    onCheck(check);
    return { ok: false, menu, testOrderId: null };
  };
  if (options.skip) {
    const { check, menu } = await fetchMenu(client);
    return check.ok || menu ? { ok: true, menu, testOrderId: null } : failed(check);
  }
  const health = await checkHealth(client);
  if (!health.ok) return failed(health);
  onCheck(health);
  const { check: menuCheck, menu } = await fetchMenu(client);
  if (!menuCheck.ok) return failed(menuCheck, menu);
  onCheck(menuCheck);
  const { check: orderCheck, orderId } = await placeTestOrder(client);
  if (!orderCheck.ok) return failed(orderCheck, menu);
  onCheck(orderCheck);
  if (options.withVoice) {
    const voice = await checkVapiWebhook(client, options.vapiSecret);
    if (!voice.ok) return failed(voice, menu);
    onCheck(voice);
  }
  return { ok: true, menu, testOrderId: orderId };
}
