// Checking one tool answer against its expectations. Each problem is one line naming what was expected and
// quoting what was answered, so a failing eval tells a wrong expectation from a missing feature at a glance.
import type { ExpectationSpec } from './scenario.schema.js';

/** One entry of a tool-calls answer, as Vapi reads it. */
export interface ToolAnswerJson {
  toolCallId: string;
  name: string;
  result?: string;
  error?: string;
}

const QUOTE_LIMIT = 400;

export function answerText(answer: ToolAnswerJson): string {
  return answer.result ?? answer.error ?? '';
}

/** `"…"` with the answer's kind: result "…" / error "…". */
export function quote(answer: ToolAnswerJson): string {
  const kind = answer.error !== undefined ? 'error' : 'result';
  const text = answerText(answer);
  return `${kind} ${JSON.stringify(text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text)}`;
}

/**
 * Problems of `answer` (empty when it meets every expectation). `earlier` is the answer `same_as` names;
 * says/not are already resolved (templates filled in).
 */
export function checkAnswer(
  answer: ToolAnswerJson | undefined,
  expect: ExpectationSpec,
  earlier: ToolAnswerJson | undefined,
): string[] {
  if (!answer) return ['no answer for this tool call in the results'];
  const problems: string[] = [];
  const wantError = expect.error ?? false;
  if (wantError && answer.error === undefined) problems.push('expected an error, got a result');
  if (!wantError && answer.error !== undefined) problems.push('expected a result, got an error');
  if (answer.result !== undefined && answer.error !== undefined) problems.push('has both result and error');
  const text = answerText(answer).toLowerCase();
  const missing = (expect.says ?? []).filter((s) => !text.includes(s.toLowerCase()));
  if (missing.length > 0) problems.push(`does not say ${missing.map((s) => JSON.stringify(s)).join(', ')}`);
  const forbidden = (expect.not ?? []).filter((s) => text.includes(s.toLowerCase()));
  if (forbidden.length > 0) problems.push(`says ${forbidden.map((s) => JSON.stringify(s)).join(', ')}`);
  if (expect.same_as !== undefined) {
    const mask = (t: string) => (expect.ignore_numbers ? t.replace(/\d+/g, '#') : t);
    if (!earlier) problems.push(`no answer to ${expect.same_as} to compare with`);
    else if (mask(answerText(earlier)) !== mask(answerText(answer)))
      problems.push(
        `differs from the answer to ${expect.same_as}${expect.ignore_numbers ? ' (numbers aside)' : ''}, ${quote(earlier)}`,
      );
  }
  return problems;
}

/** A redelivered message must be answered exactly as the first time. */
export function checkRedelivery(
  first: readonly ToolAnswerJson[],
  again: readonly ToolAnswerJson[],
): string[] {
  if (first.length !== again.length)
    return [`answered ${again.length} tool calls, the first time ${first.length}`];
  const problems: string[] = [];
  first.forEach((answer, i) => {
    const other = again[i];
    if (!other || JSON.stringify(other) !== JSON.stringify(answer))
      problems.push(
        `${answer.name} [${answer.toolCallId}] answered ${other ? quote(other) : 'nothing'}, the first time ${quote(answer)}`,
      );
  });
  return problems;
}
