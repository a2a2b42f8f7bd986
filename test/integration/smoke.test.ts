import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableBackends } from '../helpers/test-database.js';
import { type TestApp, createTestApp, seedOrderBody } from '../helpers/test-app.js';

describe.each(availableBackends())('smoke on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(async () => t?.close());

  it('places the seed order', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/orders', payload: seedOrderBody() });
    expect(res.statusCode).toBe(201);
    expect(res.json().total).toBe(45.14);
  });
});
