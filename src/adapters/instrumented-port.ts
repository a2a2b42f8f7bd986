// Times every provider call through a port (payment, geocoding) without the adapter or its callers knowing.
// A Proxy rather than a class per port: it delegates every property to the real adapter, so a method added
// to a port later (payment links, say) is delegated and timed without touching this file, and test-only
// helpers of a mock stay reachable. Calls that return a promise (or throw) are provider requests and are
// timed; synchronous answers (a mock's test helpers, say) pass through unobserved.
import { DomainError } from '../errors.js';

/** What became of a call: a small fixed set, so the metric's label values stay bounded. */
export type CallOutcome = 'ok' | 'declined' | 'rejected' | 'timeout' | 'error';

/** Receives each call's operation (the method name), outcome and duration in seconds. */
export type CallObserver = (operation: string, outcome: CallOutcome, seconds: number) => void;

/** A resolved call: `declined` for a charge result the provider refused, else `ok`. */
export function outcomeOfValue(value: unknown): CallOutcome {
  return typeof value === 'object' &&
    value !== null &&
    (value as { outcome?: unknown }).outcome === 'declined'
    ? 'declined'
    : 'ok';
}

/**
 * A call that threw: `timeout` when the provider was too slow, `rejected` when it answered no (a 4xx domain
 * error such as address not found or a refused refund), `error` for outages and anything unexpected.
 */
export function outcomeOfError(error: unknown): CallOutcome {
  if (error instanceof DomainError) {
    if (error.code.includes('timeout')) return 'timeout';
    return error.status < 500 ? 'rejected' : 'error';
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return 'timeout';
  return 'error';
}

type AnyFunction = (...args: unknown[]) => unknown;

/** `port` with every asynchronous method call reported to `observe`; everything else passes through. */
export function instrumentPort<T extends object>(port: T, observe: CallObserver): T {
  // One wrapper per method, made on first use and kept while the method is the same function.
  const wrappers = new Map<string, { original: AnyFunction; wrapped: AnyFunction }>();
  return new Proxy(port, {
    get(target, property) {
      // The adapter itself as receiver: getters and methods using private (#) fields work as unwrapped.
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'constructor') {
        return value;
      }
      const cached = wrappers.get(property);
      if (cached?.original === value) return cached.wrapped;
      const original = value as AnyFunction;
      const wrapped = timed(target, original, property, observe);
      wrappers.set(property, { original, wrapped });
      return wrapped;
    },
    set(target, property, value) {
      return Reflect.set(target, property, value, target);
    },
  });
}

function timed(target: object, method: AnyFunction, operation: string, observe: CallObserver): AnyFunction {
  return (...args: unknown[]) => {
    const started = performance.now();
    let result: unknown;
    try {
      result = method.apply(target, args);
    } catch (error) {
      observe(operation, outcomeOfError(error), (performance.now() - started) / 1000);
      throw error;
    }
    if (!(result instanceof Promise)) return result;
    return result.then(
      (value: unknown) => {
        observe(operation, outcomeOfValue(value), (performance.now() - started) / 1000);
        return value;
      },
      (error: unknown) => {
        observe(operation, outcomeOfError(error), (performance.now() - started) / 1000);
        throw error;
      },
    );
  };
}
