// Dashboard sessions held by the server (issue 14, item 5): each login gets its own random cookie, stored with
// its expiry; a logout or the expiry ends it in every process, so a copied cookie stops working. The bearer
// scheme is read in any case.
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAGING_ON_MOCKS } from '../helpers/staging-env.js';
import { type TestApp, createSiblingApp, createTestApp } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';

const TOKEN = STAGING_ON_MOCKS.DASHBOARD_TOKEN;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe.each(availableBackends())('dashboard sessions on %s', (backend) => {
  let t: TestApp;
  let sibling: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, { ...STAGING_ON_MOCKS, DASHBOARD_SESSION_HOURS: '2' });
    sibling = await createSiblingApp(t);
  });
  afterAll(async () => {
    await sibling?.close();
    await t?.close();
  });

  /** Logs in with the token; returns the `name=value` of the session cookie and the whole Set-Cookie. */
  const login = async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/dashboard/login',
      payload: `token=${encodeURIComponent(TOKEN)}`,
      headers: FORM,
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/dashboard');
    const setCookie = String(res.headers['set-cookie']);
    return { cookie: setCookie.split(';')[0] ?? '', setCookie };
  };
  const read = (app: TestApp, headers: Record<string, string>) =>
    app.app.inject({ method: 'GET', url: '/api/dashboard-data', headers });

  it('gives every login its own cookie, lasting DASHBOARD_SESSION_HOURS', async () => {
    const first = await login();
    const second = await login();
    expect(first.cookie).toMatch(/^dashboard_session=[A-Za-z0-9_-]{43}$/);
    expect(second.cookie).not.toBe(first.cookie);
    expect(first.setCookie).toMatch(/Max-Age=7200/);
    for (const { cookie } of [first, second]) {
      expect((await read(t, { cookie })).statusCode).toBe(200);
      expect((await read(sibling, { cookie })).statusCode).toBe(200);
    }
  });

  it('no longer opens the dashboard with the fixed cookie every login used to get', async () => {
    const fixed = createHmac('sha256', TOKEN).update('dashboard-session').digest('hex');
    expect((await read(t, { cookie: `dashboard_session=${fixed}` })).statusCode).toBe(401);
  });

  it('ends the session at logout, in every process: the old cookie is then refused', async () => {
    const kept = await login();
    const ended = await login();
    const logout = await t.app.inject({
      method: 'POST',
      url: '/dashboard/logout',
      headers: { ...FORM, cookie: ended.cookie },
      payload: '',
    });
    expect(logout.statusCode).toBe(303);
    expect(logout.headers.location).toBe('/dashboard/login');
    expect(String(logout.headers['set-cookie'])).toMatch(/^dashboard_session=; .*Max-Age=0/);
    for (const app of [t, sibling]) {
      const refused = await read(app, { cookie: ended.cookie });
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error).toBe('unauthorized');
      expect(
        (await app.app.inject({ method: 'GET', url: '/dashboard', headers: { cookie: ended.cookie } }))
          .headers.location,
      ).toBe('/dashboard/login');
    }
    // Another login's session is untouched.
    expect((await read(t, { cookie: kept.cookie })).statusCode).toBe(200);
    // Logging out without a session (or twice) just clears the cookie.
    for (const headers of [{}, { cookie: ended.cookie }]) {
      const again = await t.app.inject({ method: 'POST', url: '/dashboard/logout', headers });
      expect(again.statusCode).toBe(303);
      expect(String(again.headers['set-cookie'])).toMatch(/Max-Age=0/);
    }
  });

  it('refuses a session past its expiry, although its cookie is still sent', async () => {
    const { cookie } = await login();
    expect((await read(t, { cookie })).statusCode).toBe(200);
    // The server's expiry, not the browser's Max-Age, decides: move this session's end into the past (the
    // table keys sessions by the SHA-256 of the cookie's id).
    const idHash = createHash('sha256')
      .update(cookie.split('=')[1] ?? '')
      .digest('hex');
    const expired = await t.container.db.query<{ id_hash: string }>(
      {
        name: 'test_expire_session',
        text: "UPDATE dashboard_sessions SET expires_at = now() - interval '1 second' WHERE id_hash = $1 RETURNING id_hash",
      },
      [idHash],
    );
    expect(expired).toHaveLength(1);
    for (const app of [t, sibling]) expect((await read(app, { cookie })).statusCode).toBe(401);
    // The next login clears ended sessions out of the table.
    await login();
    const ended = await t.container.db.query<{ ended: number }>(
      {
        name: 'test_ended_sessions',
        text: 'SELECT count(*)::int AS ended FROM dashboard_sessions WHERE expires_at <= now()',
      },
      [],
    );
    expect(ended[0]?.ended).toBe(0);
  });

  it('reads the bearer scheme in any case', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const res = await read(t, { authorization: `${scheme} ${TOKEN}` });
      expect(res.statusCode, scheme).toBe(200);
    }
    expect((await read(t, { authorization: `bearer   ${TOKEN}  ` })).statusCode).toBe(200);
    for (const authorization of [`bearer ${TOKEN}x`, `Basic ${TOKEN}`, `bearer${TOKEN}`, 'bearer ', TOKEN]) {
      expect((await read(t, { authorization })).statusCode, authorization).toBe(401);
    }
  });

  it('refuses cookies that are not a session id without reading the database', async () => {
    for (const value of [
      '',
      'x',
      'a'.repeat(44),
      `${'a'.repeat(42)}=`,
      '%00'.repeat(20),
      '\u00e9'.repeat(43),
    ]) {
      const res = await read(t, { cookie: `dashboard_session=${encodeURIComponent(value)}` });
      expect(res.statusCode, value).toBe(401);
    }
  });
});
