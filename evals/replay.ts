// Replays one scenario through the webhook of the real app, step by step, and checks every answer and what
// the call left behind. Expectation failures are collected and the call goes on (later answers still tell
// something); a step that cannot run at all (a non-200, a crash) ends the scenario.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { checkAfter, latestOrderId, ordersOfCall } from './after-checks.js';
import { type ToolAnswerJson, checkAnswer, checkRedelivery, quote } from './answer-checks.js';
import { EVAL_VAPI_SECRET, EvalHost } from './eval-host.js';
import { fillText, fillValue } from './order-templates.js';
import { settleLink } from './payment-link.js';
import type { ScenarioDatabases } from './scenario-databases.js';
import type { CallsStepSpec, ExpectationSpec, Scenario, Step } from './scenario.schema.js';
import {
  type CallParty,
  endOfCallReport,
  statusUpdateMessage,
  toolCallsMessage,
  vapiMessage,
} from './vapi-messages.js';

export interface RoundTrip {
  /** The tools of the message, in order. */
  tools: string[];
  ms: number;
}

/** One answered tool call, for `npm run eval -- --transcript`. */
export interface TranscriptLine {
  at: string;
  tool: string;
  answer: string;
}

export interface ScenarioResult {
  name: string;
  file: string;
  passed: boolean;
  /** One line per failed expectation: `steps[3] add_item [tc-4-1]: does not say "2 Coke"; answered result "…"`. */
  failures: string[];
  toolCalls: number;
  roundTrips: RoundTrip[];
  transcript: TranscriptLine[];
  ms: number;
}

const MAIN = 'main';

class StepAborted extends Error {}

interface SentMessage {
  body: unknown;
  results: ToolAnswerJson[];
}

export async function runScenario(scenario: Scenario, databases: ScenarioDatabases): Promise<ScenarioResult> {
  const started = performance.now();
  const { failures, roundTrips, transcript } = await databases.with(scenario, async (database) => {
    const replay = new Replay(scenario, await EvalHost.start(database, scenario.env));
    try {
      await replay.run();
    } finally {
      await replay.host.close();
    }
    return replay;
  });
  return {
    name: scenario.name,
    file: scenario.file,
    passed: failures.length === 0,
    failures,
    toolCalls: roundTrips.reduce((n, r) => n + r.tools.length, 0),
    roundTrips,
    transcript,
    ms: Math.round(performance.now() - started),
  };
}

class Replay {
  readonly failures: string[] = [];
  readonly roundTrips: RoundTrip[] = [];
  readonly transcript: TranscriptLine[] = [];
  private readonly callIds = new Map<string, string>();
  private readonly answers = new Map<string, ToolAnswerJson>();
  private last: SentMessage | null = null;
  private readonly tag = randomBytes(3).toString('hex');

  constructor(
    private readonly scenario: Scenario,
    readonly host: EvalHost,
  ) {}

  async run(): Promise<void> {
    try {
      for (const [index, step] of this.scenario.steps.entries()) await this.step(index, step);
      if (this.scenario.after) {
        const problems = await checkAfter(this.host.container, this.callId(MAIN), this.scenario.after);
        this.failures.push(...problems.map((p) => `after.${p}`));
      }
    } catch (error) {
      if (!(error instanceof StepAborted)) throw error;
    }
  }

  private async step(index: number, step: Step): Promise<void> {
    const at = `steps[${index}]`;
    try {
      if ('calls' in step) await this.toolCalls(at, step);
      else if ('redeliver' in step) await this.redeliver(at);
      else if ('restart' in step) await this.host.restart();
      else if ('end_call' in step) await this.notify(at, endOfCallReport(this.party(step)));
      else if ('status_update' in step)
        await this.notify(
          at,
          statusUpdateMessage(this.party(step), step.status_update, step.ended_reason ?? null),
        );
      else if ('payment_link' in step) await this.payLink(at, step.payment_link, step.call ?? MAIN);
      else if ('menu_item' in step) await this.setSoldOut(at, step.menu_item, step.sold_out);
      else await this.sendOther(at, step.send, this.party(step), step.expect ?? {});
    } catch (error) {
      if (error instanceof StepAborted) throw error;
      const trace = (error as Error).stack?.split('\n').slice(0, 4).join(' | ') ?? String(error);
      this.abort(`${at}: ${trace}`);
    }
  }

  private async toolCalls(at: string, step: CallsStepSpec): Promise<void> {
    const label = step.call ?? MAIN;
    const party = this.party(step);
    const calls = await Promise.all(
      step.calls.map(async (call, i) => ({
        spec: call,
        id: call.id ?? `tc-${at.replace(/\D/g, '')}-${i + 1}`,
        args: await fillValue(call.args ?? {}, this.orderId),
      })),
    );
    const body = toolCallsMessage(
      party,
      calls.map((c) => ({ id: c.id, name: c.spec.tool, args: c.args })),
    );
    const results = await this.send(
      at,
      body,
      calls.map((c) => c.spec.tool),
    );
    this.last = { body, results };
    for (const r of results)
      this.transcript.push({ at, tool: `${r.name} [${r.toolCallId}]`, answer: quote(r) });
    for (const call of calls) {
      const answer = results.find((r) => r.toolCallId === call.id);
      const expect = call.spec.expect ?? {};
      const resolved = {
        ...expect,
        says: await Promise.all((expect.says ?? []).map((s) => fillText(s, this.orderId))),
        not: await Promise.all((expect.not ?? []).map((s) => fillText(s, this.orderId))),
      };
      const earlier = expect.same_as ? this.answers.get(`${label}:${expect.same_as}`) : undefined;
      const problems = checkAnswer(answer, resolved, earlier);
      if (problems.length > 0)
        this.failures.push(
          `${at} ${call.spec.tool} [${call.id}]: ${problems.join('; ')}${answer ? `; answered ${quote(answer)}` : ''}`,
        );
      if (answer) this.answers.set(`${label}:${call.id}`, answer);
    }
  }

  private async redeliver(at: string): Promise<void> {
    if (!this.last) return this.abort(`${at}: nothing to redeliver`);
    const first = this.last;
    const again = await this.send(
      at,
      first.body,
      first.results.map((r) => r.name),
    );
    this.failures.push(...checkRedelivery(first.results, again).map((p) => `${at} redelivered: ${p}`));
  }

  /** One tool-calls message, timed; its results in order. */
  private async send(at: string, body: unknown, tools: string[]): Promise<ToolAnswerJson[]> {
    const started = performance.now();
    const res = await this.post('/webhook/vapi', body);
    this.roundTrips.push({ tools, ms: performance.now() - started });
    if (res.statusCode !== 200)
      return this.abort(`${at}: the webhook answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
    const json = res.json<{ results?: ToolAnswerJson[] }>();
    if (!Array.isArray(json.results)) return this.abort(`${at}: no results in ${res.body.slice(0, 300)}`);
    return json.results;
  }

  private async notify(at: string, body: unknown): Promise<void> {
    const res = await this.post('/webhook/vapi', body);
    if (res.statusCode !== 200)
      this.abort(`${at}: the webhook answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  }

  /** A message answered with JSON other than tool results: its body is checked as text. */
  private async sendOther(
    at: string,
    type: string,
    party: CallParty,
    expect: ExpectationSpec,
  ): Promise<void> {
    const res = await this.post('/webhook/vapi', vapiMessage(type, party));
    if (res.statusCode !== 200)
      return this.abort(`${at}: the webhook answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
    const body = res.json<Record<string, unknown>>();
    const answer: ToolAnswerJson = {
      toolCallId: '',
      name: type,
      ...(typeof body.error === 'string' ? { error: res.body } : { result: res.body }),
    };
    this.transcript.push({ at, tool: type, answer: quote(answer) });
    const problems = checkAnswer(answer, expect, undefined);
    if (problems.length > 0)
      this.failures.push(`${at} ${type}: ${problems.join('; ')}; answered ${quote(answer)}`);
  }

  private post(url: string, body: unknown) {
    return this.host.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', 'x-vapi-secret': EVAL_VAPI_SECRET },
      payload: JSON.stringify(body),
    });
  }

  private async payLink(at: string, outcome: 'paid' | 'expired', label: string): Promise<void> {
    const placed = await ordersOfCall(this.host.container, this.callId(label));
    const waiting = placed.filter((o) => o.paymentId?.startsWith('cs_')).at(-1);
    if (!waiting?.paymentId) {
      const seen = placed.map((o) => `${o.id} ${o.status}`).join(', ') || 'none';
      return this.abort(
        `${at}.payment_link: call ${label} has no order with a payment link (orders: ${seen})`,
      );
    }
    const problems = await settleLink(this.host.app, waiting.paymentId, outcome);
    this.failures.push(...problems.map((p) => `${at}.payment_link: ${p}`));
  }

  /** The owner's switch (open in development, as the evals run). */
  private async setSoldOut(at: string, itemId: string, soldOut: boolean): Promise<void> {
    const res = await this.host.app.inject({
      method: 'PATCH',
      url: `/api/menu/items/${encodeURIComponent(itemId)}`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ sold_out: soldOut }),
    });
    if (res.statusCode !== 200)
      this.abort(
        `${at}.menu_item: PATCH /api/menu/items/${itemId} answered ${res.statusCode}: ${res.body.slice(0, 300)}`,
      );
  }

  private party(step: { call?: string; caller?: string }): CallParty {
    return { callId: this.callId(step.call ?? MAIN), caller: step.caller ?? this.scenario.caller };
  }

  private callId(label: string): string {
    let id = this.callIds.get(label);
    if (!id) {
      id = `eval-${this.scenario.name}-${label === MAIN ? '' : `${label}-`}${this.tag}`;
      this.callIds.set(label, id);
    }
    return id;
  }

  /** The latest order of a call, for `{{order_id}}` templates; a call without one ends the scenario. */
  private readonly orderId = async (label: string): Promise<number> => {
    const id = await latestOrderId(this.host.container, this.callId(label));
    if (id === null)
      return this.abort(`{{order_id${label === MAIN ? '' : `:${label}`}}}: call ${label} has no order yet`);
    return id;
  };
  private abort(reason: string): never {
    this.failures.push(reason);
    throw new StepAborted(reason);
  }
}
