// The shapes the simulation's modules hand to each other: a planned order, the answer to one send, the result
// of one order (its original send and its re-send), and the run's options.

export type Channel = 'direct' | 'vapi';

/** How a request is re-sent to prove idempotency: not at all, alongside the original, or after its answer. */
export type Resend = 'none' | 'concurrent' | 'after';

export interface SimulationOptions {
  orders: number;
  channels: 'direct' | 'vapi' | 'mixed';
  concurrency: number;
  skipTests: boolean;
  duplicates: number;
  url: string;
  vapiSecret: string | null;
  token: string | null;
  seed: string;
  json: string | null;
  /** Seconds to wait for the export backlog to drain before judging the workbook. */
  verifyTimeoutSeconds: number;
  /** Where the server writes its workbooks, when this machine can read them; null = ask the server. */
  exportDir: string | null;
}

export interface PlannedOrder {
  /** 1-based, as the report numbers orders ("Order #7"). */
  number: number;
  channel: Channel;
  /** Direct: the Idempotency-Key. Voice: `<call id>/<tool call id>`, what the webhook runs once. */
  key: string;
  /** What the server shows of this order and nothing else's: direct name|phone, voice the Vapi call id. */
  fingerprint: string;
  /** Voice orders only: the Vapi call and the tool call within it. */
  callId: string | null;
  toolCallId: string | null;
  path: string;
  headers: Record<string, string>;
  /** Exactly the bytes sent, so a re-send is byte-identical. */
  body: string;
  /** What the menu says the order costs: subtotal + tax + delivery fee, in cents. */
  expectedTotalCents: number;
  resend: Resend;
}

export interface Failure {
  /** A stable code: the API's `error` (card_declined, geo_timeout, …) or one read from the spoken answer. */
  reason: string;
  message: string;
  /** Mock declines, address problems and dependency timeouts are expected; anything else is a finding. */
  expected: boolean;
}

/** The final answer to one send (after any 409 "still in progress" or voice "still working" follow-ups). */
export interface Answer {
  /** HTTP status; 0 when no answer arrived (network error or client timeout). */
  status: number;
  ms: number;
  orderId: number | null;
  totalCents: number | null;
  /** The server said this was a replay (Idempotent-Replayed: true). */
  replayed: boolean;
  failure: Failure | null;
  /** Requests made for this send, follow-ups included. */
  attempts: number;
}

export interface OrderResult {
  planned: PlannedOrder;
  original: Answer;
  duplicate: Answer | null;
}

/** Confirmed when any send of the key got an order: a re-send may succeed after a dependency timeout. */
export function confirmedAnswer(result: OrderResult): Answer | null {
  if (result.original.orderId !== null) return result.original;
  return result.duplicate && result.duplicate.orderId !== null ? result.duplicate : null;
}
