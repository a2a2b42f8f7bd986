// Phone numbers reach the log only as their last four digits, and secrets (authorization headers, keys)
// never. createLogger writes to the process's stdout, so the logger runs in a child process whose stdout
// is captured: what is checked is exactly what an operator would see.
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { DrizzleQueryError } from 'drizzle-orm';
import { DatabaseError } from 'pg';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { createLogger, maskPhone, scrubSecrets } from './logger.js';

const run = promisify(execFile);

describe('maskPhone', () => {
  it.each([
    ['555-123-4567', '***4567'],
    ['+1 (555) 123-4567', '***4567'],
    ['5551234567', '***4567'],
    ['555 123 4567 ext 89', '***6789'],
    ['12345', '***2345'],
    ['1234', '***'],
    ['call me', '***'],
    ['', '***'],
  ])('%j -> %j', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });

  it.each([5551234567, null, undefined, { phone: '555-123-4567' }, ['555-123-4567']])(
    'redacts a non-string (%j) entirely',
    (value) => {
      expect(maskPhone(value)).toBe('[redacted]');
    },
  );
});

describe('scrubSecrets', () => {
  it('redacts secret keys and URL passwords at any depth, leaving the input untouched', () => {
    const input = {
      a: { b: { c: { secretKey: 'sk', url: 'postgres://app:pw@db:5432/x', list: [{ authToken: 't' }] } } },
      redisUrl: 'redis://:pw@redis:6379',
      publicUrl: 'https://orders.example.com',
      when: new Date(0),
      n: 1,
    };
    expect(scrubSecrets(input)).toEqual({
      a: {
        b: {
          c: {
            secretKey: '[redacted]',
            url: 'postgres://app:***@db:5432/x',
            list: [{ authToken: '[redacted]' }],
          },
        },
      },
      redisUrl: 'redis://:***@redis:6379',
      publicUrl: 'https://orders.example.com',
      when: new Date(0),
      n: 1,
    });
    expect(input.a.b.c.secretKey).toBe('sk');
  });
});

const PHONE = '555-123-4567';
const AUTH = 'Bearer sk_live_51TopSecretToken';
const API_KEY = 'sk_live_51AnotherSecret';

/** Every secret the configuration can hold, each a distinct string that must never reach the output. */
const CONFIG_SECRETS = {
  STRIPE_SECRET_KEY: 'sk_live_51ConfigStripeKey',
  STRIPE_WEBHOOK_SECRET: 'whsec_ConfigWebhookSecret',
  GOOGLE_MAPS_API_KEY: 'AIzaConfigGoogleKey',
  VAPI_API_KEY: 'vapi-ConfigApiKey',
  VAPI_WEBHOOK_SECRET: 'vapi-ConfigWebhookSecret',
  DASHBOARD_TOKEN: 'ConfigDashboardToken0123456789',
  TWILIO_AUTH_TOKEN: 'ConfigTwilioAuthToken',
  DATABASE_URL: 'postgres://app:ConfigDbPassword@db.internal:5432/orders',
  REDIS_URL: 'redis://:ConfigRedisPassword@redis.internal:6379',
};
const config = loadConfig({
  ENV_MODE: 'staging',
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
  TWILIO_FROM_NUMBER: '+12125550100',
  ...CONFIG_SECRETS,
});

/** Log calls made by the child: a record object, or `child` bindings for a child logger. */
const CASES: Array<{ name: string; record?: unknown; child?: unknown }> = [
  { name: 'top-level customer_phone', record: { customer_phone: PHONE } },
  { name: 'top-level customerPhone', record: { customerPhone: PHONE } },
  { name: 'top-level phone', record: { phone: PHONE } },
  { name: 'nested customer_phone', record: { order: { id: 1, customer_phone: PHONE } } },
  { name: 'nested customerPhone', record: { charge: { amountCents: 4514, customerPhone: PHONE } } },
  { name: 'child bindings', child: { customer_phone: PHONE } },
  { name: 'authorization header', record: { req: { method: 'GET', headers: { authorization: AUTH } } } },
  { name: 'cookie header', record: { req: { headers: { cookie: `session=${AUTH}` } } } },
  { name: 'vapi secret header', record: { req: { headers: { 'x-vapi-secret': AUTH } } } },
  { name: 'api key', record: { stripe: { apiKey: API_KEY } } },
  { name: 'secret', record: { vapi: { secret: API_KEY } } },
  // Someone logging the configuration, whole or a part of it, at any depth.
  { name: 'whole config', record: { config } },
  { name: 'payment config', record: { payment: config.payment } },
  { name: 'config at the top', record: { ...config } },
];

// Each call is isolated: a logger that throws is reported on stderr instead of hiding the other cases.
const CHILD_SCRIPT = `
const { createLogger } = await import(process.argv[1]);
const cases = JSON.parse(process.argv[2]);
const logger = createLogger({ level: 'info', pretty: false });
for (const c of cases) {
  try {
    if (c.child) logger.child(c.child).info({ case: c.name }, 'logged');
    else logger.info({ ...c.record, case: c.name }, 'logged');
  } catch (error) {
    process.stderr.write(JSON.stringify({ case: c.name, threw: String(error) }) + '\\n');
  }
}
`;

interface LogLine {
  case: string;
  msg: string;
  [key: string]: unknown;
}

describe('createLogger output', () => {
  let output: { lines: LogLine[]; raw: string; stderr: string } | undefined;

  async function logOutput() {
    if (output) return output;
    const loggerUrl = pathToFileURL(new URL('./logger.ts', import.meta.url).pathname).href;
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', CHILD_SCRIPT, loggerUrl, JSON.stringify(CASES)],
      { cwd: new URL('..', import.meta.url).pathname, timeout: 20_000 },
    );
    const lines = stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as LogLine);
    output = { lines, raw: stdout, stderr };
    return output;
  }

  it('logs every case without throwing', async () => {
    const { lines, stderr } = await logOutput();
    expect(stderr).toBe('');
    expect(lines.map((l) => l.case)).toEqual(CASES.map((c) => c.name));
  });

  it('never prints a full phone number', async () => {
    const { raw } = await logOutput();
    expect(raw).toContain('logged');
    expect(raw).not.toContain(PHONE);
    expect(raw.replace(/\D/g, ' ')).not.toMatch(/5551234567/);
  });

  it('keeps the last four digits of a phone where it was', async () => {
    const { lines } = await logOutput();
    const byCase = new Map(lines.map((l) => [l.case, l]));
    expect(byCase.get('top-level customer_phone')?.customer_phone).toBe('***4567');
    expect(byCase.get('top-level customerPhone')?.customerPhone).toBe('***4567');
    expect(byCase.get('top-level phone')?.phone).toBe('***4567');
    expect(byCase.get('nested customer_phone')?.order).toEqual({ id: 1, customer_phone: '***4567' });
    expect(byCase.get('nested customerPhone')?.charge).toEqual({
      amountCents: 4514,
      customerPhone: '***4567',
    });
    expect(byCase.get('child bindings')?.customer_phone).toBe('***4567');
  });

  it('never prints a secret from a logged configuration', async () => {
    const { raw, lines } = await logOutput();
    for (const [name, secret] of Object.entries(CONFIG_SECRETS)) {
      const password = /:\/\/[^:]*:([^@]+)@/.exec(secret)?.[1];
      expect(raw, name).not.toContain(password ?? secret);
    }
    // Redacted where it was, the rest of the configuration still readable.
    const whole = lines.find((l) => l.case === 'whole config')?.config as typeof config | undefined;
    expect(whole?.payment.stripe.secretKey).toBe('[redacted]');
    expect(whole?.restaurant.name).toBe(config.restaurant.name);
  });

  it('never prints an authorization header, cookie or key', async () => {
    const { raw, lines } = await logOutput();
    expect(raw).not.toContain('TopSecretToken');
    expect(raw).not.toContain('AnotherSecret');
    const auth = lines.find((l) => l.case === 'authorization header');
    expect(auth?.req).toEqual({ method: 'GET', headers: { authorization: '[redacted]' } });
  });
});

/** Lines written by a logger from createLogger, captured in this process. */
function capturedLogger() {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ level: 'info', pretty: false, destination });
  const output = () => chunks.join('');
  return { logger, output, line: () => JSON.parse(output().trim().split('\n').at(-1) ?? '{}') as LogLine };
}

/** PostgreSQL's error as node-postgres raises it. */
function postgresError(message: string, fields: { code: string; detail?: string }): DatabaseError {
  const error = new DatabaseError(message, message.length, 'error');
  Object.assign(error, { severity: 'ERROR', ...fields });
  return error;
}

describe('errors in the log', () => {
  const NAME = 'Zelda Featherstonehaugh';
  const DIGITS = '5558675309';

  it('keeps a failed query and its cause but none of its parameters', () => {
    const params = [`%${NAME}\u0000%`, '555-867-5309', 20];
    const cause = postgresError('invalid byte sequence for encoding "UTF8": 0x00', { code: '22021' });
    const error = new DrizzleQueryError('select * from orders where customer_name ilike $1', params, cause);
    const { logger, output, line } = capturedLogger();
    logger.error({ err: error }, 'unhandled error');
    expect(output()).not.toContain('Zelda');
    expect(output().replace(/\D/g, '')).not.toContain(DIGITS.slice(-7));
    const err = line().err as Record<string, string>;
    expect(err.type).toBe('DrizzleQueryError');
    expect(err.message).toBe(
      'Failed query: select * from orders where customer_name ilike $1\nparams: [3 redacted]: ' +
        'invalid byte sequence for encoding "UTF8": 0x00',
    );
    expect(err.stack).toContain('params: [3 redacted]\n');
    expect(err.stack).toContain('caused by: error: invalid byte sequence');
    expect(err.query).toBe('select * from orders where customer_name ilike $1');
    expect(err.params).toBe('[redacted]');
    // The log changed nothing of the error the app still holds.
    expect(error.params).toBe(params);
  });

  it("redacts PostgreSQL's row values and the value a data error quotes", () => {
    const { logger, output, line } = capturedLogger();
    logger.error(
      {
        err: postgresError(
          'null value in column "zip_code" of relation "orders" violates not-null constraint',
          {
            code: '23502',
            detail: `Failing row contains (7, ${NAME}, ${DIGITS}, 17 Wisteria Hollow Lane, null).`,
          },
        ),
      },
      'row',
    );
    expect(line().err).toMatchObject({ code: '23502', detail: '[redacted]' });
    logger.error(
      { err: postgresError(`invalid input syntax for type integer: "${NAME}"`, { code: '22P02' }) },
      'data',
    );
    expect((line().err as { message: string }).message).toBe(
      'invalid input syntax for type integer: "[redacted]"',
    );
    logger.error(new Error(`retry failed: Failed query: select 1\nparams: ${NAME},${DIGITS}`), 'wrapped');
    expect((line().err as { message: string }).message).toBe(
      'retry failed: Failed query: select 1\nparams: [redacted]',
    );
    expect(output()).not.toContain('Zelda');
    expect(output()).not.toContain('Wisteria');
    expect(output()).not.toContain(DIGITS);
  });

  it('logs other errors as pino does, with their causes and fields', () => {
    const { logger, line } = capturedLogger();
    const error = Object.assign(
      new Error('connect ECONNREFUSED 127.0.0.1:5432', { cause: new Error('inner') }),
      {
        code: 'ECONNREFUSED',
        port: 5432,
      },
    );
    logger.warn({ err: error }, 'database unavailable');
    expect(line().err).toMatchObject({
      type: 'Error',
      message: 'connect ECONNREFUSED 127.0.0.1:5432: inner',
      code: 'ECONNREFUSED',
      port: 5432,
    });
    logger.warn({ err: 'not an error' }, 'odd');
    expect(line().err).toBe('not an error');
  });
});
