import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_VAPI_AUTH, type VapiAuthConfig, verifyVapiHeaders, verifyVapiRequest } from './vapi.auth.js';

const SECRET = 'vapi-secret-2026-a';
const NEXT_SECRET = 'vapi-secret-2026-b';
const NOW_MS = 1_767_201_033_456;
const NOW_S = Math.floor(NOW_MS / 1000);

// The reference's tool-calls example (section 3.2), as the raw bytes Vapi would sign.
const RAW_BODY = JSON.stringify({
  message: {
    type: 'tool-calls',
    timestamp: 1767201033456,
    call: { id: 'b1223960-1b4d-4585-91b8-a69b0f57ec2f', orgId: '379a13ec-...', type: 'inboundPhoneCall' },
    toolCallList: [
      {
        id: 'call_mrf9Qx2LrT0aZb7c',
        type: 'function',
        function: {
          name: 'add_item',
          arguments: { itemId: 'pz-marg-12', quantity: 2, notes: 'extra basil' },
        },
      },
    ],
  },
});

function config(overrides: Partial<VapiAuthConfig> = {}): VapiAuthConfig {
  return { ...DEFAULT_VAPI_AUTH, secrets: [SECRET], ...overrides };
}

function sign(
  body: string,
  timestamp: string | null,
  secret = SECRET,
  algorithm: 'sha256' | 'sha512' | 'sha1' = 'sha256',
  encoding: 'hex' | 'base64' = 'hex',
): string {
  const payload = timestamp === null ? body : `${timestamp}.${body}`;
  return createHmac(algorithm, secret).update(payload).digest(encoding);
}

function expectRefused(result: ReturnType<typeof verifyVapiRequest>): string {
  expect(result.ok).toBe(false);
  return result.ok ? '' : result.reason;
}

describe('DEFAULT_VAPI_AUTH', () => {
  it("matches Vapi's documented defaults", () => {
    expect(DEFAULT_VAPI_AUTH).toEqual({
      hmac: {
        algorithm: 'sha256',
        signatureHeader: 'x-signature',
        timestampHeader: 'x-timestamp',
        prefix: '',
        encoding: 'hex',
        toleranceSeconds: 300,
      },
      bearerHeader: 'authorization',
    });
  });
});

describe('verifyVapiRequest: x-vapi-secret', () => {
  it('accepts the legacy secret header', () => {
    expect(verifyVapiRequest({ 'x-vapi-secret': SECRET }, RAW_BODY, config(), NOW_MS)).toEqual({
      ok: true,
      method: 'secret-header',
    });
  });

  it('refuses a wrong secret without echoing either value', () => {
    const reason = expectRefused(verifyVapiRequest({ 'x-vapi-secret': 'guess' }, RAW_BODY, config(), NOW_MS));
    expect(reason).toBe('secret header mismatch');
    expect(reason).not.toContain(SECRET);
    expect(reason).not.toContain('guess');
  });

  it('refuses a secret that is a prefix or an extension of the real one', () => {
    for (const value of [SECRET.slice(0, -1), `${SECRET}x`, SECRET.toUpperCase()]) {
      expectRefused(verifyVapiRequest({ 'x-vapi-secret': value }, RAW_BODY, config(), NOW_MS));
    }
  });

  it('treats an empty or blank header as missing', () => {
    expect(verifyVapiRequest({ 'x-vapi-secret': '' }, RAW_BODY, config(), NOW_MS)).toEqual({
      ok: false,
      reason: 'missing credentials',
    });
    expect(expectRefused(verifyVapiRequest({ 'x-vapi-secret': '  ' }, RAW_BODY, config(), NOW_MS))).toBe(
      'missing credentials',
    );
  });

  it('refuses a request without any credential', () => {
    expect(expectRefused(verifyVapiRequest({}, RAW_BODY, config(), NOW_MS))).toBe('missing credentials');
    expect(
      expectRefused(verifyVapiRequest({ 'content-type': 'application/json' }, RAW_BODY, config(), NOW_MS)),
    ).toBe('missing credentials');
  });

  it('reads header names case-insensitively and takes the first value of an array', () => {
    expect(verifyVapiRequest({ 'X-Vapi-Secret': SECRET }, RAW_BODY, config(), NOW_MS).ok).toBe(true);
    expect(verifyVapiRequest({ 'x-vapi-secret': [SECRET, 'other'] }, RAW_BODY, config(), NOW_MS).ok).toBe(
      true,
    );
    expect(verifyVapiRequest({ 'x-vapi-secret': ['other', SECRET] }, RAW_BODY, config(), NOW_MS).ok).toBe(
      false,
    );
    expect(verifyVapiRequest({ 'x-vapi-secret': [] }, RAW_BODY, config(), NOW_MS).ok).toBe(false);
    expect(verifyVapiRequest({ 'x-vapi-secret': undefined }, RAW_BODY, config(), NOW_MS).ok).toBe(false);
  });

  it('accepts either secret during a rotation', () => {
    const rotating = config({ secrets: [SECRET, NEXT_SECRET] });
    expect(verifyVapiRequest({ 'x-vapi-secret': SECRET }, RAW_BODY, rotating, NOW_MS).ok).toBe(true);
    expect(verifyVapiRequest({ 'x-vapi-secret': NEXT_SECRET }, RAW_BODY, rotating, NOW_MS).ok).toBe(true);
    expect(verifyVapiRequest({ 'x-vapi-secret': 'retired' }, RAW_BODY, rotating, NOW_MS).ok).toBe(false);
  });

  it('fails closed when no secret is configured, and ignores empty configured secrets', () => {
    expect(verifyVapiRequest({ 'x-vapi-secret': '' }, RAW_BODY, config({ secrets: [] }), NOW_MS)).toEqual({
      ok: false,
      reason: 'no secret configured',
    });
    expect(
      verifyVapiRequest({ authorization: 'Bearer ' }, RAW_BODY, config({ secrets: [''] }), NOW_MS).ok,
    ).toBe(false);
    const emptyKeySignature = sign(RAW_BODY, String(NOW_S), '');
    expect(
      verifyVapiRequest(
        { 'x-signature': emptyKeySignature, 'x-timestamp': String(NOW_S) },
        RAW_BODY,
        config({ secrets: [''] }),
        NOW_MS,
      ).ok,
    ).toBe(false);
  });
});

describe('verifyVapiRequest: bearer', () => {
  it('accepts `Bearer <secret>` in the default header', () => {
    expect(verifyVapiRequest({ authorization: `Bearer ${SECRET}` }, RAW_BODY, config(), NOW_MS)).toEqual({
      ok: true,
      method: 'bearer',
    });
  });

  it('accepts the bare token (bearerPrefixEnabled off) and a lower-case scheme', () => {
    expect(verifyVapiRequest({ authorization: SECRET }, RAW_BODY, config(), NOW_MS).ok).toBe(true);
    expect(verifyVapiRequest({ authorization: `bearer ${SECRET}` }, RAW_BODY, config(), NOW_MS).ok).toBe(
      true,
    );
  });

  it('refuses a wrong token, another scheme and an empty header', () => {
    expect(
      expectRefused(verifyVapiRequest({ authorization: 'Bearer nope' }, RAW_BODY, config(), NOW_MS)),
    ).toBe('bearer token mismatch');
    expectRefused(verifyVapiRequest({ authorization: `Basic ${SECRET}` }, RAW_BODY, config(), NOW_MS));
    expect(expectRefused(verifyVapiRequest({ authorization: '' }, RAW_BODY, config(), NOW_MS))).toBe(
      'missing credentials',
    );
  });

  it('reads a configured header name, whatever its case', () => {
    const custom = config({ bearerHeader: 'X-Api-Key' });
    expect(verifyVapiRequest({ 'x-api-key': `Bearer ${SECRET}` }, RAW_BODY, custom, NOW_MS)).toEqual({
      ok: true,
      method: 'bearer',
    });
    expect(verifyVapiRequest({ authorization: `Bearer ${SECRET}` }, RAW_BODY, custom, NOW_MS).ok).toBe(false);
  });

  it('accepts the next secret during a rotation', () => {
    const rotating = config({ secrets: [SECRET, NEXT_SECRET] });
    expect(verifyVapiRequest({ authorization: `Bearer ${NEXT_SECRET}` }, RAW_BODY, rotating, NOW_MS).ok).toBe(
      true,
    );
  });

  it('accepts when any one mechanism matches', () => {
    const headers = { 'x-vapi-secret': 'stale', authorization: `Bearer ${SECRET}` };
    expect(verifyVapiRequest(headers, RAW_BODY, config(), NOW_MS)).toEqual({ ok: true, method: 'bearer' });
    const reason = expectRefused(
      verifyVapiRequest({ 'x-vapi-secret': 'stale', authorization: 'Bearer x' }, RAW_BODY, config(), NOW_MS),
    );
    expect(reason).toBe('secret header mismatch; bearer token mismatch');
  });
});

describe('verifyVapiRequest: HMAC', () => {
  const signed = (timestamp: string, body = RAW_BODY): Record<string, string> => ({
    'x-signature': sign(body, timestamp),
    'x-timestamp': timestamp,
  });

  it('accepts a signature over `{timestamp}.{body}` with a timestamp in seconds', () => {
    expect(verifyVapiRequest(signed(String(NOW_S)), RAW_BODY, config(), NOW_MS)).toEqual({
      ok: true,
      method: 'hmac',
    });
  });

  it('accepts a timestamp in milliseconds', () => {
    expect(verifyVapiRequest(signed(String(NOW_MS)), RAW_BODY, config(), NOW_MS).ok).toBe(true);
  });

  it('refuses a signature without its timestamp header, even a valid one over the body alone', () => {
    // Without a timestamp a captured request would verify forever: it could be replayed at any time.
    for (const headers of [
      { 'x-signature': sign(RAW_BODY, null) },
      { 'x-signature': sign(RAW_BODY, null), 'x-timestamp': ' ' },
      { 'x-signature': sign(RAW_BODY, String(NOW_S)) },
    ]) {
      expect(expectRefused(verifyVapiRequest(headers, RAW_BODY, config(), NOW_MS))).toBe(
        'missing signature timestamp',
      );
    }
  });

  it('accepts upper-case hex', () => {
    const headers = { ...signed(String(NOW_S)) };
    headers['x-signature'] = sign(RAW_BODY, String(NOW_S)).toUpperCase();
    expect(verifyVapiRequest(headers, RAW_BODY, config(), NOW_MS).ok).toBe(true);
  });

  it('refuses a tampered body', () => {
    const tampered = RAW_BODY.replace('"quantity":2', '"quantity":20');
    expect(tampered).not.toBe(RAW_BODY);
    expect(expectRefused(verifyVapiRequest(signed(String(NOW_S)), tampered, config(), NOW_MS))).toBe(
      'signature mismatch',
    );
  });

  it('refuses a signature made with another secret', () => {
    const headers = { 'x-signature': sign(RAW_BODY, String(NOW_S), 'other'), 'x-timestamp': String(NOW_S) };
    expect(expectRefused(verifyVapiRequest(headers, RAW_BODY, config(), NOW_MS))).toBe('signature mismatch');
  });

  it('refuses a changed timestamp (it is part of the signed string)', () => {
    const headers = { 'x-signature': sign(RAW_BODY, String(NOW_S)), 'x-timestamp': String(NOW_S + 1) };
    expect(expectRefused(verifyVapiRequest(headers, RAW_BODY, config(), NOW_MS))).toBe('signature mismatch');
  });

  it('refuses timestamps outside the tolerance, in seconds and in milliseconds, past and future', () => {
    for (const timestamp of [NOW_S - 301, NOW_S + 301, NOW_MS - 301_000, NOW_MS + 301_000]) {
      const reason = expectRefused(verifyVapiRequest(signed(String(timestamp)), RAW_BODY, config(), NOW_MS));
      expect(reason).toBe('signature timestamp out of tolerance');
    }
    for (const timestamp of [NOW_S - 299, NOW_S + 300, NOW_MS - 300_000, NOW_MS + 300_000]) {
      expect(verifyVapiRequest(signed(String(timestamp)), RAW_BODY, config(), NOW_MS).ok).toBe(true);
    }
  });

  it('uses the configured tolerance', () => {
    const strict = config({ hmac: { ...DEFAULT_VAPI_AUTH.hmac, toleranceSeconds: 10 } });
    expect(verifyVapiRequest(signed(String(NOW_S - 11)), RAW_BODY, strict, NOW_MS).ok).toBe(false);
    expect(verifyVapiRequest(signed(String(NOW_S - 9)), RAW_BODY, strict, NOW_MS).ok).toBe(true);
  });

  it('refuses a non-numeric timestamp', () => {
    for (const timestamp of ['2026-01-31T18:53:49Z', 'abc', '-5', '0x10']) {
      const reason = expectRefused(verifyVapiRequest(signed(timestamp), RAW_BODY, config(), NOW_MS));
      expect(reason).toBe('invalid signature timestamp');
    }
  });

  it('refuses a signature of the wrong algorithm (length) without throwing', () => {
    for (const algorithm of ['sha1', 'sha512'] as const) {
      const headers = {
        'x-signature': sign(RAW_BODY, String(NOW_S), SECRET, algorithm),
        'x-timestamp': String(NOW_S),
      };
      expect(expectRefused(verifyVapiRequest(headers, RAW_BODY, config(), NOW_MS))).toBe(
        'signature mismatch',
      );
    }
    const truncated = { ...signed(String(NOW_S)) };
    truncated['x-signature'] = truncated['x-signature']?.slice(0, 40) ?? '';
    expect(verifyVapiRequest(truncated, RAW_BODY, config(), NOW_MS).ok).toBe(false);
  });

  it('verifies a configured algorithm, base64 encoding, prefix and header names', () => {
    const custom = config({
      hmac: {
        algorithm: 'sha512',
        signatureHeader: 'X-Vapi-Signature',
        timestampHeader: 'X-Vapi-Timestamp',
        prefix: 'sha512=',
        encoding: 'base64',
        toleranceSeconds: 60,
      },
    });
    const signature = `sha512=${sign(RAW_BODY, String(NOW_MS), SECRET, 'sha512', 'base64')}`;
    const headers = { 'x-vapi-signature': signature, 'x-vapi-timestamp': String(NOW_MS) };
    expect(verifyVapiRequest(headers, RAW_BODY, custom, NOW_MS)).toEqual({ ok: true, method: 'hmac' });
    // Header names are matched whatever their case on either side.
    const mixedCase = { 'X-VAPI-SIGNATURE': signature, 'x-Vapi-timestamp': String(NOW_MS) };
    expect(verifyVapiRequest(mixedCase, RAW_BODY, custom, NOW_MS).ok).toBe(true);
    // Without the prefix, or with the default headers, it does not verify.
    const noPrefix = { ...headers, 'x-vapi-signature': signature.slice('sha512='.length) };
    expect(verifyVapiRequest(noPrefix, RAW_BODY, custom, NOW_MS).ok).toBe(false);
    const defaultNames = { 'x-signature': signature, 'x-timestamp': String(NOW_MS) };
    expect(verifyVapiRequest(defaultNames, RAW_BODY, custom, NOW_MS).ok).toBe(false);
    // base64 is case-sensitive.
    const flipped = { ...headers, 'x-vapi-signature': signature.toLowerCase() };
    expect(verifyVapiRequest(flipped, RAW_BODY, custom, NOW_MS).ok).toBe(false);
  });

  it('accepts a signature made with either secret during a rotation', () => {
    const rotating = config({ secrets: [SECRET, NEXT_SECRET] });
    const headers = {
      'x-signature': sign(RAW_BODY, String(NOW_S), NEXT_SECRET),
      'x-timestamp': String(NOW_S),
    };
    expect(verifyVapiRequest(headers, RAW_BODY, rotating, NOW_MS).ok).toBe(true);
  });

  it('treats an empty signature header as missing', () => {
    const headers = { 'x-signature': '', 'x-timestamp': String(NOW_S) };
    expect(expectRefused(verifyVapiRequest(headers, RAW_BODY, config(), NOW_MS))).toBe('missing credentials');
  });

  it('uses the current time when none is given', () => {
    const now = Date.now();
    expect(verifyVapiRequest(signed(String(now)), RAW_BODY, config()).ok).toBe(true);
    expect(verifyVapiRequest(signed(String(now - 3_600_000)), RAW_BODY, config()).ok).toBe(false);
  });

  it('never puts the secret or the received signature in the reason', () => {
    const headers = { 'x-signature': sign(RAW_BODY, String(NOW_S), 'other'), 'x-timestamp': String(NOW_S) };
    const reason = expectRefused(verifyVapiRequest(headers, RAW_BODY, config(), NOW_MS));
    expect(reason).not.toContain(SECRET);
    expect(reason).not.toContain(headers['x-signature']);
    expect(reason).not.toContain(sign(RAW_BODY, String(NOW_S)));
  });
});

describe('verifyVapiHeaders: the verdict before the body is read', () => {
  it('accepts a matching secret header or bearer token, whatever else is sent', () => {
    expect(verifyVapiHeaders({ 'x-vapi-secret': SECRET }, config(), NOW_MS)).toEqual({
      ok: true,
      method: 'secret-header',
    });
    expect(
      verifyVapiHeaders({ authorization: `Bearer ${SECRET}`, 'x-signature': 'forged' }, config(), NOW_MS),
    ).toEqual({ ok: true, method: 'bearer' });
  });

  it('refuses without credentials, with a wrong one, and with a signature that has no fresh timestamp', () => {
    expect(verifyVapiHeaders({}, config(), NOW_MS)).toEqual({ ok: false, reason: 'missing credentials' });
    expect(verifyVapiHeaders({ 'x-vapi-secret': 'guess' }, config(), NOW_MS)).toEqual({
      ok: false,
      reason: 'secret header mismatch',
    });
    const signature = sign(RAW_BODY, String(NOW_S));
    expect(verifyVapiHeaders({ 'x-signature': signature }, config(), NOW_MS)).toEqual({
      ok: false,
      reason: 'missing signature timestamp',
    });
    expect(
      verifyVapiHeaders({ 'x-signature': signature, 'x-timestamp': String(NOW_S - 301) }, config(), NOW_MS),
    ).toEqual({ ok: false, reason: 'signature timestamp out of tolerance' });
    expect(
      verifyVapiHeaders(
        { 'x-vapi-secret': 'guess', 'x-signature': signature, 'x-timestamp': 'soon' },
        config(),
        NOW_MS,
      ),
    ).toEqual({ ok: false, reason: 'secret header mismatch; invalid signature timestamp' });
    expect(verifyVapiHeaders({ 'x-vapi-secret': SECRET }, config({ secrets: [] }), NOW_MS)).toEqual({
      ok: false,
      reason: 'no secret configured',
    });
  });

  it('leaves a signature with a fresh timestamp to the body check (null), even next to a wrong secret', () => {
    const headers = { 'x-signature': sign(RAW_BODY, String(NOW_S)), 'x-timestamp': String(NOW_S) };
    expect(verifyVapiHeaders(headers, config(), NOW_MS)).toBeNull();
    expect(verifyVapiHeaders({ ...headers, 'x-vapi-secret': 'stale' }, config(), NOW_MS)).toBeNull();
    // Whatever the signature: only the body can tell, and verifyVapiRequest then decides.
    expect(verifyVapiHeaders({ ...headers, 'x-signature': 'ab' }, config(), NOW_MS)).toBeNull();
  });
});
