// A Vapi `hang` (the assistant silent too long on a call) through the real app: answered {}, counted on /metrics,
// and logged as one warning that names the call but never the caller's number.
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, valueOf } from '../helpers/prometheus.js';
import { type TestApp, createTestApp } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';

const SECRET = 'vapi-hang-secret';
const CALLER = '+14155550142';

describe(`Vapi hang on ${availableBackends()[0] ?? 'pglite'}`, () => {
  let t: TestApp;
  const lines: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    // No time, pid or hostname: a line holds only what the code chose to log.
    const logger = pino(
      { level: 'warn', timestamp: false, base: null },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    t = await createTestApp(availableBackends()[0] ?? 'pglite', { VAPI_WEBHOOK_SECRET: SECRET }, { logger });
  });
  afterAll(async () => t?.close());

  const hangs = async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    return valueOf(parseExposition(res.body), 'vapi_hangs_total');
  };

  it('answers {}, counts the hang and logs the call id without the caller number', async () => {
    expect(await hangs()).toBe(0);
    const callId = `call-${randomUUID()}`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhook/vapi',
      headers: { 'content-type': 'application/json', 'x-vapi-secret': SECRET },
      payload: JSON.stringify({
        message: {
          type: 'hang',
          timestamp: Date.now(),
          call: { id: callId, type: 'inboundPhoneCall', customer: { number: CALLER } },
          customer: { number: CALLER },
        },
      }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    expect(await hangs()).toBe(1);

    const hangLines = lines.filter((l) => JSON.stringify(l).includes(callId));
    expect(hangLines).toHaveLength(1);
    // Exactly these fields: no caller number, not even masked to its last digits.
    expect(hangLines[0]).toEqual({ level: 40, callId, msg: 'Vapi hang: the assistant was silent too long' });
    expect(JSON.stringify(lines)).not.toContain('4155550142');
  });
});
