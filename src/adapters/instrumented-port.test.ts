// The timing decorator must be invisible to callers: same answers, same errors, same `this`, every method
// delegated (also ones it has never heard of), and each provider call reported once with its outcome.
import { describe, expect, it } from 'vitest';
import { ConflictError, UnavailableError, ValidationError } from '../errors.js';
import { type CallOutcome, instrumentPort, outcomeOfError, outcomeOfValue } from './instrumented-port.js';

interface Call {
  operation: string;
  outcome: CallOutcome;
  seconds: number;
}

/** An adapter with private state, a getter, async and sync methods, like the real ones. */
class FakeProvider {
  readonly provider = 'fake' as const;
  #charges = 0;
  settable = 'initial';

  get charges(): number {
    return this.#charges;
  }

  async charge(amount: number): Promise<{ outcome: 'succeeded' | 'declined'; amount: number }> {
    this.#charges += 1;
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { outcome: amount > 100 ? 'declined' : 'succeeded', amount };
  }

  async refund(kind: 'refused' | 'down' | 'slow' | 'bug'): Promise<void> {
    if (kind === 'refused') throw new ConflictError('refund_refused', 'no');
    if (kind === 'down') throw new UnavailableError('payment_unavailable', 'down');
    if (kind === 'slow') throw new UnavailableError('payment_timeout', 'slow');
    throw new TypeError('a bug');
  }

  /** Added "later": the decorator was never told about it. */
  async createPaymentLink(id: string): Promise<string> {
    return `https://pay.example/${id}/${this.#charges}`;
  }

  countSync(): number {
    return this.#charges;
  }

  throwSync(): never {
    throw new ValidationError('address_not_found', 'nowhere');
  }
}

function setup() {
  const calls: Call[] = [];
  const inner = new FakeProvider();
  const port = instrumentPort(inner, (operation, outcome, seconds) =>
    calls.push({ operation, outcome, seconds }),
  );
  return { calls, inner, port };
}

describe('instrumentPort', () => {
  it('answers exactly as the adapter does, private fields and getters included', async () => {
    const { port, inner } = setup();
    expect(port.provider).toBe('fake');
    await expect(port.charge(50)).resolves.toEqual({ outcome: 'succeeded', amount: 50 });
    expect(port.charges).toBe(1);
    expect(inner.charges).toBe(1);
    expect(port.countSync()).toBe(1);
    expect(port).toBeInstanceOf(FakeProvider);
  });

  it('times each asynchronous call once, with its duration and outcome', async () => {
    const { port, calls } = setup();
    await port.charge(50);
    await port.charge(500);
    expect(calls.map(({ operation, outcome }) => [operation, outcome])).toEqual([
      ['charge', 'ok'],
      ['charge', 'declined'],
    ]);
    for (const call of calls) {
      expect(call.seconds).toBeGreaterThanOrEqual(0.015);
      expect(call.seconds).toBeLessThan(5);
    }
  });

  it('rethrows the same error and classifies it', async () => {
    const { port, calls } = setup();
    const refused = port.refund('refused').catch((error: unknown) => error);
    await expect(refused).resolves.toBeInstanceOf(ConflictError);
    await expect(port.refund('down')).rejects.toBeInstanceOf(UnavailableError);
    await expect(port.refund('slow')).rejects.toThrow('slow');
    await expect(port.refund('bug')).rejects.toBeInstanceOf(TypeError);
    expect(calls.map((c) => c.outcome)).toEqual(['rejected', 'error', 'timeout', 'error']);
    expect(calls.every((c) => c.operation === 'refund')).toBe(true);
  });

  it('delegates and times a method it was never told about', async () => {
    const { port, calls } = setup();
    await port.charge(1);
    await expect(port.createPaymentLink('abc')).resolves.toBe('https://pay.example/abc/1');
    expect(calls.map((c) => c.operation)).toEqual(['charge', 'createPaymentLink']);
  });

  it('passes synchronous answers through unobserved, but reports a synchronous throw', () => {
    const { port, calls } = setup();
    expect(port.countSync()).toBe(0);
    expect(calls).toEqual([]);
    expect(() => port.throwSync()).toThrow(ValidationError);
    expect(calls.map(({ operation, outcome }) => [operation, outcome])).toEqual([['throwSync', 'rejected']]);
  });

  it('keeps one wrapper per method, and follows a method replaced on the adapter', async () => {
    const { port, inner, calls } = setup();
    expect(Reflect.get(port, 'charge')).toBe(Reflect.get(port, 'charge'));
    port.settable = 'changed';
    expect(inner.settable).toBe('changed');
    inner.charge = async (amount: number) => ({ outcome: 'succeeded' as const, amount: amount * 2 });
    await expect(port.charge(2)).resolves.toEqual({ outcome: 'succeeded', amount: 4 });
    expect(calls.map((c) => c.operation)).toEqual(['charge']);
  });
});

describe('call outcomes', () => {
  it.each([
    [{ outcome: 'succeeded', paymentId: 'p' }, 'ok'],
    [{ outcome: 'declined', paymentId: null, code: 'card_declined', reason: 'no' }, 'declined'],
    [{ lat: 1, lng: 2 }, 'ok'],
    [undefined, 'ok'],
    [null, 'ok'],
  ])('a result %j is %s', (value, outcome) => {
    expect(outcomeOfValue(value)).toBe(outcome);
  });

  it.each([
    [new ValidationError('address_not_found', 'x'), 'rejected'],
    [new ConflictError('refund_refused', 'x'), 'rejected'],
    [new UnavailableError('geo_timeout', 'x'), 'timeout'],
    [new UnavailableError('geo_unavailable', 'x'), 'error'],
    [Object.assign(new Error('x'), { name: 'TimeoutError' }), 'timeout'],
    [Object.assign(new Error('x'), { name: 'AbortError' }), 'timeout'],
    [new Error('socket hang up'), 'error'],
    ['a string', 'error'],
  ])('an error %s is %s', (error, outcome) => {
    expect(outcomeOfError(error)).toBe(outcome);
  });
});
