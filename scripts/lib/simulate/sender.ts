// Fires the planned orders with at most `concurrency` lanes busy. A re-sent order goes out twice with the
// same Idempotency-Key (or the same Vapi call and tool call id): alongside the original, or right after its
// answer. A 409 "still in progress" or a spoken "still working" is not an outcome but a request to ask again,
// so the same request is repeated (briefly spaced) until the final answer or a deadline.
import { readDirectAnswer, readVoiceAnswer, isStillWorking } from './answers.js';
import { type ServiceClient, sleep } from './http.js';
import type { Answer, OrderResult, PlannedOrder } from './types.js';

/** How long one send may keep asking again, in total. */
const FOLLOW_UP_DEADLINE_MS = 45_000;
// The server's Retry-After is 1 s; the simulation measures the server, not a client's back-off, so it asks
// again sooner.
const FOLLOW_UP_CAP_MS = 250;

export async function sendAll(
  client: ServiceClient,
  plan: PlannedOrder[],
  concurrency: number,
  onAnswer: () => void,
): Promise<OrderResult[]> {
  const results: OrderResult[] = new Array<OrderResult>(plan.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < plan.length; i = next++) {
      const planned = plan[i] as PlannedOrder;
      results[i] = await sendOrder(client, planned, onAnswer);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, plan.length) }, lane));
  return results;
}

async function sendOrder(client: ServiceClient, planned: PlannedOrder, onAnswer: () => void) {
  const send = async () => {
    const answer = await sendOnce(client, planned);
    onAnswer();
    return answer;
  };
  switch (planned.resend) {
    case 'none':
      return { planned, original: await send(), duplicate: null };
    case 'concurrent': {
      const [original, duplicate] = await Promise.all([send(), send()]);
      return { planned, original, duplicate };
    }
    case 'after': {
      const original = await send();
      return { planned, original, duplicate: await send() };
    }
  }
}

/** One logical send: the request, repeated while the server says it is still working on it. */
async function sendOnce(client: ServiceClient, planned: PlannedOrder): Promise<Answer> {
  const started = performance.now();
  const deadline = Date.now() + FOLLOW_UP_DEADLINE_MS;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const http = await client.post(planned.path, planned.body, planned.headers);
    const answer =
      planned.channel === 'direct'
        ? readDirectAnswer(http, attempts)
        : readVoiceAnswer(http, planned.toolCallId ?? '', attempts);
    const again = http.status === 409 || isStillWorking(answer);
    if (!again || Date.now() >= deadline) return { ...answer, ms: performance.now() - started };
    const retryAfterMs = Number(http.headers.get('retry-after') ?? '1') * 1000;
    await sleep(Math.min(Number.isFinite(retryAfterMs) ? retryAfterMs : 1000, FOLLOW_UP_CAP_MS));
  }
}
