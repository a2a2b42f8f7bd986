// PAYMENT_LINKS=off (issue 14, item 4): the assistant handed to Vapi never offers a texted payment link, a
// place_order that asks for one anyway is answered with paying the driver instead and places nothing, and no
// SMS provider is configured.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, createTestApp } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';
import { toolCallMessage } from '../helpers/vapi-messages.js';

const CALLER = '+12125550177';
const ORDER = {
  customer_name: 'Paula Driver',
  fulfillment: 'delivery',
  delivery_address: '350 Fifth Avenue',
  city: 'New York',
  zip_code: '10001',
  items: [{ name: 'Pizza Margherita', quantity: 1 }],
};

interface Tool {
  type: string;
  function?: { name: string; description: string; parameters: { properties: Record<string, unknown> } };
}

describe.each(availableBackends())('payment links off on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, { PAYMENT_LINKS: 'off' });
  });
  afterAll(async () => t?.close());

  const simulate = (payload: unknown) =>
    t.app.inject({ method: 'POST', url: '/webhook/simulation', payload: payload as Record<string, unknown> });
  const tool = async (name: string, args: Record<string, unknown>, callId: string) => {
    const res = await simulate(toolCallMessage(name, args, { callId, caller: CALLER }));
    expect(res.statusCode).toBe(200);
    return res.json().results[0].result as string;
  };
  const ordersOf = async (name: string) =>
    (
      (await t.app.inject({ method: 'GET', url: '/api/orders' })).json().orders as Array<{
        customer_name: string;
        payment_status: string;
      }>
    ).filter((o) => o.customer_name === name);

  it('hands Vapi an assistant that never offers a payment link', async () => {
    const res = await simulate({
      message: {
        type: 'assistant-request',
        call: { id: `call-${randomUUID()}`, customer: { number: CALLER } },
      },
    });
    expect(res.statusCode).toBe(200);
    const assistant = res.json().assistant as {
      model: { messages: Array<{ content: string }>; tools: Tool[] };
    };
    const text = JSON.stringify(assistant);
    expect(text).not.toContain('text_link');
    expect(text).not.toMatch(/text you a secure payment link|by a secure link we text/);
    const place = assistant.model.tools.find((tool) => tool.function?.name === 'place_order');
    expect(place?.function?.parameters.properties).not.toHaveProperty('payment');
    expect(place?.function?.description).toMatch(/paid to the driver on delivery or at the counter/);
    expect(assistant.model.messages[0]?.content).toMatch(/they pay the driver on delivery/);
  });

  it('answers a place_order asking for a link with paying the driver, and places nothing', async () => {
    const callId = `call-${randomUUID()}`;
    const spoken = await tool('place_order', { ...ORDER, payment: 'text_link' }, callId);
    expect(spoken).toMatch(/We don't send payment links, so nothing was placed/);
    expect(spoken).toMatch(/pay the driver instead \(at the counter for pickup\)/);
    expect(spoken).toMatch(/payment on_delivery/);
    expect(await ordersOf(ORDER.customer_name)).toEqual([]);

    // Paying the driver places the order as usual.
    const placed = await tool('place_order', { ...ORDER, payment: 'on_delivery' }, callId);
    expect(placed).toMatch(/number \d+/);
    expect((await ordersOf(ORDER.customer_name)).map((o) => o.payment_status)).toEqual(['due_on_delivery']);
  });

  it('configures no SMS provider', async () => {
    expect(t.container.sms.provider).toBe('none');
    const health = (await t.app.inject({ method: 'GET', url: '/health' })).json();
    expect(health.services.sms).toBe('none');
  });
});
