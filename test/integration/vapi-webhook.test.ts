// The Vapi server URL, driven with message fixtures shaped as reference/vapi.md documents them.
import { createHmac, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orders } from '../../src/db/schema/index.js';
import { readWorkbook } from '../../src/modules/exports/workbook.reader.js';
import { businessDateOf } from '../../src/shared/zoned-time.js';
import { type TestApp, createTestApp } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';

const SECRET = 'vapi-test-secret-0123456789';
const CALLER = '+14155550199';

const envelope = (type: string, callId: string, extra: Record<string, unknown> = {}) => ({
  message: {
    type,
    timestamp: Date.now(),
    call: { id: callId, orgId: 'org-1', type: 'inboundPhoneCall', customer: { number: CALLER } },
    phoneNumber: { id: 'pn-1', number: '+14155550100' },
    customer: { number: CALLER },
    ...extra,
  },
});

const toolCalls = (callId: string, calls: Array<{ id: string; name: string; args: unknown }>) =>
  envelope('tool-calls', callId, {
    toolCallList: calls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.args },
    })),
  });

const seedVoiceOrder = {
  customer_name: 'Vera Voice',
  fulfillment: 'delivery',
  delivery_address: '350 Fifth Avenue',
  city: 'New York',
  zip_code: '10001',
  items: [
    { name: 'Pizza Margherita', quantity: 2 },
    { name: 'Coke', quantity: 2 },
  ],
};

describe.each(availableBackends())('Vapi webhook on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(
      backend,
      { VAPI_WEBHOOK_SECRET: SECRET, RESTAURANT_PHONE: '+12125550100', EXPORT_SWEEP_SECONDS: '0.5' },
      { startWorker: true },
    );
  });
  afterAll(async () => t?.close());

  const simulate = (body: unknown) =>
    t.app.inject({ method: 'POST', url: '/webhook/simulation', payload: body as object });
  const vapi = (body: unknown, headers: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url: '/webhook/vapi',
      payload: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...headers },
    });
  const results = async (body: unknown) => {
    const res = await simulate(body);
    expect(res.statusCode).toBe(200);
    return res.json<{
      results: Array<{ toolCallId: string; name: string; result?: string; error?: string }>;
    }>().results;
  };

  it('refuses identifiers too long to be Vapi ids with a 400 naming them, storing nothing', async () => {
    const longCall = envelope('status-update', '🍕'.repeat(5_000), { status: 'in-progress' });
    const res = await vapi(longCall, { 'x-vapi-secret': SECRET });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error: 'invalid_message',
      message: expect.stringContaining('call.id'),
    });
    const longTool = toolCalls('short-call', [{ id: 'x'.repeat(201), name: 'get_menu', args: {} }]);
    const tool = await vapi(longTool, { 'x-vapi-secret': SECRET });
    expect(tool.statusCode).toBe(400);
    expect(tool.json().message).toContain('toolCallList');
  });

  describe('authentication', () => {
    const body = envelope('status-update', 'auth-call', { status: 'in-progress' });
    it('accepts the shared secret header, a bearer token and an HMAC signature', async () => {
      expect((await vapi(body, { 'x-vapi-secret': SECRET })).statusCode).toBe(200);
      expect((await vapi(body, { authorization: `Bearer ${SECRET}` })).statusCode).toBe(200);
      const raw = JSON.stringify(body);
      const timestamp = String(Date.now());
      const signature = createHmac('sha256', SECRET).update(`${timestamp}.${raw}`).digest('hex');
      const res = await t.app.inject({
        method: 'POST',
        url: '/webhook/vapi',
        payload: raw,
        headers: { 'content-type': 'application/json', 'x-signature': signature, 'x-timestamp': timestamp },
      });
      expect(res.statusCode).toBe(200);
    });

    it('refuses a wrong, empty or missing credential and a tampered signed body with 401', async () => {
      const refused: Array<Record<string, string>> = [
        { 'x-vapi-secret': 'wrong' },
        { 'x-vapi-secret': '' },
        {},
        { authorization: 'Bearer nope' },
      ];
      for (const headers of refused) {
        const res = await vapi(body, headers);
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ error: 'unauthorized' });
      }
      const timestamp = String(Date.now());
      const signature = createHmac('sha256', SECRET)
        .update(`${timestamp}.${JSON.stringify(body)}`)
        .digest('hex');
      const tampered = await vapi(
        { ...body, extra: 1 },
        { 'x-signature': signature, 'x-timestamp': timestamp },
      );
      expect(tampered.statusCode).toBe(401);
    });
  });

  it('answers get_menu, quote_order and an unknown item with sentences a caller understands', async () => {
    const [menu, quote, unknown] = await results(
      toolCalls('menu-call', [
        { id: 'call_menu', name: 'get_menu', args: {} },
        { id: 'call_quote', name: 'quote_order', args: seedVoiceOrder },
        {
          id: 'call_unknown',
          name: 'quote_order',
          args: { ...seedVoiceOrder, items: [{ name: 'Sushi Platter', quantity: 1 }] },
        },
      ]),
    );
    expect(menu).toMatchObject({ toolCallId: 'call_menu', name: 'get_menu' });
    expect(menu?.result).toContain('Pizza Margherita $14.99');
    expect(quote?.result).toContain('Total $45.14');
    expect(quote?.result).not.toContain('\n');
    // Nothing on the menu is close to it: no "did you mean" the caller would find absurd.
    expect(unknown?.result).toMatch(
      /We don't have 'Sushi Platter' on the menu\. Ask the caller what they would like instead\./,
    );
  });

  it('places a voice order from string arguments with the caller number, marked voice with the call id', async () => {
    const callId = `call-${randomUUID()}`;
    const [answer] = await results(
      toolCalls(callId, [{ id: 'call_place', name: 'place_order', args: JSON.stringify(seedVoiceOrder) }]),
    );
    expect(answer?.result).toMatch(/^Your order is confirmed: number (\d+), total \$45\.14/);
    const id = Number(/number (\d+)/.exec(answer?.result ?? '')?.[1]);
    const [row] = await t.container.db.orm.select().from(orders).where(eq(orders.id, id));
    expect(row).toMatchObject({
      source: 'voice',
      vapiCallId: callId,
      customerPhone: CALLER,
      status: 'confirmed',
    });
  });

  it('runs a tool call delivered 5 times at once only once, and a call places one order unless asked for another', async () => {
    const callId = `call-${randomUUID()}`;
    const body = toolCalls(callId, [{ id: 'call_dup', name: 'place_order', args: seedVoiceOrder }]);
    const answers = await Promise.all(Array.from({ length: 5 }, () => results(body)));
    const texts = new Set(answers.map((a) => a[0]?.result));
    expect(texts.size).toBe(1);
    // The model fires the same action again under a new tool call id: the same order comes back.
    const [again] = await results(
      toolCalls(callId, [{ id: 'call_dup_2', name: 'place_order', args: seedVoiceOrder }]),
    );
    expect(again?.result).toBe([...texts][0]);
    const [second] = await results(
      toolCalls(callId, [
        { id: 'call_second', name: 'place_order', args: { ...seedVoiceOrder, additional_order: true } },
      ]),
    );
    expect(second?.result).toMatch(/^Your order is confirmed/);
    expect(second?.result).not.toBe(again?.result);
    const placed = await t.container.db.orm.select().from(orders).where(eq(orders.vapiCallId, callId));
    expect(placed).toHaveLength(2);
  });

  it('answers invalid arguments with a result saying what to ask or fix, never an error or a 5xx', async () => {
    const [missing, broken, unknownTool] = await results(
      toolCalls('bad-args', [
        { id: 'call_missing', name: 'place_order', args: { items: [{ name: 'Coke', quantity: 1 }] } },
        { id: 'call_broken', name: 'place_order', args: '{"customer_name": "x", ' },
        { id: 'call_what', name: 'order_pizza', args: {} },
      ]),
    );
    expect(missing?.error).toBeUndefined();
    expect(missing?.result).toBe('What name should I put the order under? Then call place_order again.');
    expect(broken?.error).toBeUndefined();
    expect(broken?.result).toMatch(
      /^I couldn't read the arguments for place_order \(.+\)\. Call place_order again with its arguments as a JSON object\.$/,
    );
    expect(unknownTool?.result).toMatch(/^There is no tool called order_pizza\. Use one of: get_menu, /);
  });

  it('answers assistant-request with an assistant, transfers to the restaurant, 200s every notification', async () => {
    const assistant = (await simulate(envelope('assistant-request', 'ar-call'))).json();
    expect(
      assistant.assistant.model.tools.map((tool: { function?: { name: string } }) => tool.function?.name),
    ).toEqual(expect.arrayContaining(['get_menu', 'quote_order', 'place_order', 'check_order_status']));
    const transfer = (await simulate(envelope('transfer-destination-request', 'ar-call'))).json();
    expect(transfer.destination).toMatchObject({ type: 'number', number: '+12125550100' });
    for (const type of [
      'speech-update',
      'conversation-update',
      'hang',
      'user-interrupted',
      'model-output',
      'brand-new-type',
    ]) {
      const res = await simulate(envelope(type, 'ar-call'));
      expect(res.statusCode, type).toBe(200);
      expect(res.json()).toEqual({});
    }
    const legacy = await simulate(
      envelope('function-call', 'ar-call', { functionCall: { name: 'get_menu', parameters: '{}' } }),
    );
    expect(legacy.json().result).toContain('Pizza Margherita');
    expect((await simulate({ nothing: true })).statusCode).toBeLessThan(500);
  });

  it('a whole simulated call ends with the order, its call record and its workbook row', async () => {
    const callId = `call-${randomUUID()}`;
    expect((await simulate(envelope('assistant-request', callId))).statusCode).toBe(200);
    await results(toolCalls(callId, [{ id: 'c1', name: 'get_menu', args: { category: 'Pizza' } }]));
    await results(toolCalls(callId, [{ id: 'c2', name: 'quote_order', args: seedVoiceOrder }]));
    const [placed] = await results(
      toolCalls(callId, [{ id: 'c3', name: 'place_order', args: seedVoiceOrder }]),
    );
    const orderId = Number(/number (\d+)/.exec(placed?.result ?? '')?.[1]);
    expect(orderId).toBeGreaterThan(0);
    await simulate(envelope('status-update', callId, { status: 'in-progress' }));
    await simulate(
      envelope('status-update', callId, { status: 'ended', endedReason: 'customer-ended-call' }),
    );
    await simulate(
      envelope('end-of-call-report', callId, {
        endedReason: 'customer-ended-call',
        startedAt: '2026-01-31T18:53:49.010Z',
        endedAt: '2026-01-31T18:56:30.442Z',
        cost: 0.1834,
        artifact: {
          transcript: 'AI: Thanks for calling!\nUser: Two margheritas and two cokes please.',
          recordingUrl: 'https://recordings.example/x-mono.wav',
          messages: [],
        },
        analysis: { summary: 'Caller ordered two margheritas and two cokes for delivery.' },
      }),
    );
    const [status] = await results(toolCalls(callId, [{ id: 'c4', name: 'check_order_status', args: {} }]));
    expect(status?.result).toContain(`Order ${orderId} is confirmed`);

    const order = (await t.app.inject({ method: 'GET', url: `/api/orders/${orderId}` })).json();
    expect(order).toMatchObject({ source: 'voice', vapi_call_id: callId, total: 45.14 });
    expect(order.call).toMatchObject({
      call_id: callId,
      caller_number: CALLER,
      status: 'ended',
      ended_reason: 'customer-ended-call',
      summary: 'Caller ordered two margheritas and two cokes for delivery.',
      recording_url: 'https://recordings.example/x-mono.wav',
      cost_usd: 0.1834,
    });
    expect(order.call.transcript).toContain('Two margheritas');

    await expect.poll(() => t.container.exportsRepository.backlogCount(), { timeout: 30_000 }).toBe(0);
    const workbook = await readWorkbook(
      t.container.exporter.filePath(businessDateOf(new Date(), t.config.timeZone)),
    );
    expect(workbook.rows.find((r) => r.orderId === orderId)).toMatchObject({
      source: 'voice',
      customerName: 'Vera Voice',
    });
  });
});

describe('the simulation webhook outside development', () => {
  it('is 404 in staging', async () => {
    const t = await createTestApp(availableBackends()[0] ?? 'pglite', {
      ENV_MODE: 'staging',
      STRIPE_SECRET_KEY: 'sk_test_x',
      GOOGLE_MAPS_API_KEY: 'key',
      VAPI_WEBHOOK_SECRET: SECRET,
      DASHBOARD_TOKEN: 'dashboard-vapi-token-0123456789',
      PAYMENT_PROVIDER: 'mock',
      GEO_PROVIDER: 'mock',
      SMS_PROVIDER: 'mock',
    });
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: '/webhook/simulation',
        payload: envelope('hang', 'x'),
      });
      expect(res.statusCode).toBe(404);
      const unauthenticated = await t.app.inject({
        method: 'POST',
        url: '/webhook/vapi',
        payload: envelope('hang', 'x'),
      });
      expect(unauthenticated.statusCode).toBe(401);
    } finally {
      await t.close();
    }
  });
});

describe('a slow provider during a call (the address lookup)', () => {
  it('answers within the tool time limit, and the same tool call later gets the real answer', async () => {
    const t = await createTestApp('pglite', {
      MOCK_GEO_LATENCY_MS: '1500',
      VOICE_TOOL_TIMEOUT_MS: '500',
    });
    try {
      const body = toolCalls('slow-call', [{ id: 'call_slow', name: 'place_order', args: seedVoiceOrder }]);
      const started = Date.now();
      const first = (
        await t.app.inject({ method: 'POST', url: '/webhook/simulation', payload: body })
      ).json();
      expect(Date.now() - started).toBeLessThan(1_400);
      expect(first.results[0].result).toMatch(/still working/);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const again = (
        await t.app.inject({ method: 'POST', url: '/webhook/simulation', payload: body })
      ).json();
      expect(again.results[0].result).toMatch(/^Your order is confirmed/);
    } finally {
      await t.close();
    }
  });
});
