// The benchmark's load generator, run in its own process so its CPU is measured apart from the service's.
// Three arrival models:
//   closed: `concurrency` lanes, each sends its next order when the last one answered (throughput);
//   open:   orders are due at a fixed rate whatever the service does, and latency counts from the moment
//           each was due, so a stalled service cannot hide its queueing (no coordinated omission);
//   burst:  every order is due at once (a lunch rush of simultaneous callers).
// Orders are the seed's curl example (2 x Pizza Margherita + 2 x Coke, delivered), each with its own
// Idempotency-Key. load-process.ts runs it as a child process.
import http from 'node:http';
import { SEED_EXAMPLE_ORDER } from '../../src/modules/orders/orders.schemas.js';
import { percentiles, type Percentiles } from './stats.js';

export interface LoadSpec {
  url: string;
  orders: number;
  mode: 'closed' | 'open' | 'burst';
  /** closed: lanes; open/burst: most requests in flight (connections). */
  concurrency: number;
  /** open only: orders per second. */
  rate?: number;
  /** Prefix of the idempotency keys, unique per run. */
  tag: string;
}

export interface LoadResult {
  spec: LoadSpec;
  ok: number;
  byStatus: Record<string, number>;
  wallMs: number;
  ordersPerSecond: number;
  latencyMs: Percentiles;
  /** Epoch ms of the last 2xx answer (the export lag starts here). */
  lastOkAt: number;
  firstError: string | null;
  cpuUs: number;
  maxRssMb: number;
}

export function orderBody(i: number): string {
  return JSON.stringify({
    ...SEED_EXAMPLE_ORDER,
    customer_name: `Bench Caller ${i}`,
    customer_phone: `555-${String(100 + (i % 900)).padStart(3, '0')}-${String(i % 10_000).padStart(4, '0')}`,
  });
}

interface Answer {
  status: number;
  doneAt: bigint;
  text: string;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL('/api/orders', spec.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const post = (i: number) =>
    new Promise<Answer>((resolve) => {
      const data = orderBody(i);
      const request = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(data),
            'idempotency-key': `${spec.tag}-${i}`,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, doneAt: process.hrtime.bigint(), text }),
          );
        },
      );
      request.on('error', (error) =>
        resolve({ status: 0, doneAt: process.hrtime.bigint(), text: error.message }),
      );
      request.setTimeout(60_000, () => request.destroy(new Error('no answer within 60 s')));
      request.end(data);
    });

  const latencies = new Float64Array(spec.orders);
  const byStatus: Record<string, number> = {};
  let ok = 0;
  let lastOkAt = 0;
  let firstError: string | null = null;
  const record = (i: number, dueAt: bigint, answer: Answer) => {
    latencies[i] = Number(answer.doneAt - dueAt) / 1e6;
    byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
    if (answer.status >= 200 && answer.status < 300) {
      ok += 1;
      lastOkAt = Date.now();
    } else {
      firstError ??= `${answer.status}: ${answer.text.slice(0, 300)}`;
    }
  };

  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  if (spec.mode === 'closed') {
    let next = 0;
    const lane = async () => {
      while (next < spec.orders) {
        const i = next++;
        const dueAt = process.hrtime.bigint();
        record(i, dueAt, await post(i));
      }
    };
    await Promise.all(Array.from({ length: spec.concurrency }, lane));
  } else {
    // The agent queues requests beyond `concurrency` sockets; their wait counts as latency.
    const intervalNs = spec.mode === 'burst' ? 0n : BigInt(Math.round(1e9 / (spec.rate ?? 1)));
    const pending: Promise<void>[] = [];
    for (let i = 0; i < spec.orders; i++) {
      const dueAt = started + intervalNs * BigInt(i);
      const waitMs = Number(dueAt - process.hrtime.bigint()) / 1e6;
      if (waitMs >= 1) await new Promise((resolve) => setTimeout(resolve, waitMs));
      pending.push(post(i).then((answer) => record(i, dueAt, answer)));
    }
    await Promise.all(pending);
  }
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  agent.destroy();
  return {
    spec,
    ok,
    byStatus,
    wallMs: Math.round(wallMs),
    ordersPerSecond: Math.round((spec.orders / wallMs) * 1000),
    latencyMs: percentiles(Array.from(latencies)),
    lastOkAt,
    firstError,
    cpuUs: cpu.user + cpu.system,
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
