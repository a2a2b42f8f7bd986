// Reproducible randomness for the mocks: MOCK_SEED plus the order of calls fixes every simulated outcome, so a
// failing simulation run can be replayed exactly. Not for anything secret (ids and keys use node:crypto).

/** cyrb128: a fast 128-bit string hash, used to turn any seed string into four 32-bit PRNG state words. */
function cyrb128(input: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < input.length; i++) {
    const k = input.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** A seeded generator of numbers in [0, 1) (sfc32 over a cyrb128 hash of the seed). */
export function createRandom(seed: string): () => number {
  let [a, b, c, d] = cyrb128(seed);
  const next = (): number => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // sfc32 needs a few rounds before similar seeds ("seed-1", "seed-2") stop giving similar first outputs.
  for (let i = 0; i < 15; i++) next();
  return next;
}

export interface LatencyRange {
  minMs: number;
  maxMs: number;
}

const LATENCY_SPEC = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/;

/** Parses a latency setting: "250" (always 250 ms) or "200-800" (uniform in that range, inclusive). */
export function parseLatency(spec: string): LatencyRange {
  const match = LATENCY_SPEC.exec(spec);
  const min = match?.[1];
  if (!match || min === undefined) {
    throw new Error(
      `Invalid latency "${spec}": expected a whole number of milliseconds like "250" or a range like "200-800"`,
    );
  }
  const minMs = Number(min);
  const maxMs = match[2] === undefined ? minMs : Number(match[2]);
  if (!Number.isSafeInteger(minMs) || !Number.isSafeInteger(maxMs)) {
    throw new Error(`Invalid latency "${spec}": the numbers are too large`);
  }
  if (maxMs < minMs) {
    throw new Error(`Invalid latency "${spec}": the range must be written low-high, e.g. "200-800"`);
  }
  return { minMs, maxMs };
}

/** A whole number of milliseconds in [minMs, maxMs], drawn from `random`. */
export function sampleLatency(range: LatencyRange, random: () => number): number {
  if (range.maxMs <= range.minMs) return range.minMs;
  return range.minMs + Math.floor(random() * (range.maxMs - range.minMs + 1));
}

/**
 * Waits `ms` milliseconds; resolves without any timer when `ms` is 0, so a zero-latency mock stays on the
 * hot path's microtask queue.
 */
export function simulateLatency(ms: number): Promise<void> | undefined {
  if (ms <= 0) return undefined;
  return new Promise((resolve) => setTimeout(resolve, ms));
}
