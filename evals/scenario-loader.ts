// Reads evals/scenarios/*.json and checks each file completely before anything runs: a mistake stops the load
// with the file and the field (`steps[3].calls[0].expect.says`), never as a confusing failure mid-call.
import fs from 'node:fs/promises';
import path from 'node:path';
import { Compile } from 'typebox/compile';
import { ConfigError, loadConfig } from '../src/config.js';
import {
  ALLOWED_ENV,
  defaultCaller,
  STEP_KINDS,
  STEP_SCHEMAS,
  type Scenario,
  ScenarioFile,
  type Step,
  type StepKind,
} from './scenario.schema.js';

export const SCENARIO_DIR = path.join(import.meta.dirname, 'scenarios');

export class ScenarioError extends Error {
  constructor(file: string, problems: string[]) {
    super(`${file}: ${problems.join('; ')}`);
    this.name = 'ScenarioError';
  }
}

interface SchemaError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  message: string;
  params: unknown;
}

interface Checker {
  Check(value: unknown): boolean;
  Errors(value: unknown): readonly SchemaError[];
}

const fileChecker: Checker = Compile(ScenarioFile);
const stepCheckers = Object.fromEntries(
  STEP_KINDS.map((kind) => [kind, Compile(STEP_SCHEMAS[kind]) as Checker]),
) as Record<StepKind, Checker>;

/**
 * Every scenario of `dir` whose name contains `filter`, sorted by name. All files are checked, whatever the
 * filter, so a broken one is found on any run and default caller numbers stay the same.
 */
export async function loadScenarios(dir = SCENARIO_DIR, filter = ''): Promise<Scenario[]> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const scenarios = await Promise.all(
    files.map((f, index) => loadScenario(path.join(dir, f), defaultCaller(index))),
  );
  checkCallersApart(scenarios);
  return scenarios.filter((s) => s.name.includes(filter));
}

export async function loadScenario(filePath: string, caller: string): Promise<Scenario> {
  const file = path.relative(process.cwd(), filePath);
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(filePath, 'utf8'));
  } catch (error) {
    throw new ScenarioError(file, [`not readable JSON (${(error as Error).message})`]);
  }
  return parseScenario(json, file, caller);
}

/** Checks one parsed file; `file` names it in errors; `defaultCaller` is the caller when it names none. */
export function parseScenario(json: unknown, file: string, defaultCaller: string): Scenario {
  if (!fileChecker.Check(json)) throw new ScenarioError(file, describe(fileChecker.Errors(json), ''));
  const raw = json as {
    name: string;
    description: string;
    env?: Record<string, string>;
    caller?: string;
    steps: Array<Record<string, unknown>>;
    after?: Scenario['after'];
  };
  const problems: string[] = [];
  const base = path.basename(file, '.json');
  if (raw.name !== base) problems.push(`name: must be the file's name "${base}", got "${raw.name}"`);
  problems.push(...envProblems(raw.env ?? {}));
  const steps: Step[] = [];
  raw.steps.forEach((step, index) => {
    const at = `steps[${index}]`;
    const kinds = STEP_KINDS.filter((kind) => kind in step);
    if (kinds.length !== 1) {
      problems.push(
        `${at}: a step has exactly one of ${STEP_KINDS.join(', ')}; this one has ${kinds.join(', ') || 'none'}`,
      );
      return;
    }
    const checker = stepCheckers[kinds[0] as StepKind];
    if (!checker.Check(step)) problems.push(...describe(checker.Errors(step), at));
    else steps.push(step as Step);
  });
  if (problems.length === 0) problems.push(...crossStepProblems(steps));
  if (problems.length > 0) throw new ScenarioError(file, problems);
  return {
    name: raw.name,
    description: raw.description,
    file,
    env: raw.env ?? {},
    caller: raw.caller ?? defaultCaller,
    steps,
    after: raw.after ?? null,
  };
}

/** A number belongs to one scenario: they share a database, and a caller hears about their number's orders. */
function checkCallersApart(scenarios: readonly Scenario[]): void {
  const owner = new Map<string, string>();
  for (const scenario of scenarios) {
    const numbers = new Set([
      scenario.caller,
      ...scenario.steps.flatMap((s) => ('caller' in s && s.caller ? [s.caller] : [])),
    ]);
    for (const number of numbers) {
      const key = number.replace(/\D/g, '').replace(/^1(?=\d{10}$)/, '');
      const other = owner.get(key);
      if (other && other !== scenario.file)
        throw new ScenarioError(scenario.file, [
          `caller ${number} is already ${other}'s: give each scenario numbers of its own`,
        ]);
      owner.set(key, scenario.file);
    }
  }
}

function envProblems(env: Record<string, string>): string[] {
  const allowed: readonly string[] = ALLOWED_ENV;
  const unknown = Object.keys(env).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    return unknown.map(
      (key) => `env.${key}: not a setting a scenario may change (one of ${ALLOWED_ENV.join(', ')})`,
    );
  }
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `env.${p}`);
    throw error;
  }
}

/** Tool call ids unique per call, `same_as` pointing back, `redeliver` after a message to redeliver. */
function crossStepProblems(steps: readonly Step[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  let anyMessage = false;
  steps.forEach((step, index) => {
    if ('redeliver' in step && !anyMessage)
      problems.push(`steps[${index}].redeliver: no tool-calls message before it`);
    if ('send' in step && step.expect?.same_as !== undefined)
      problems.push(`steps[${index}].expect.same_as: only for tool calls`);
    if (!('calls' in step)) return;
    anyMessage = true;
    const label = step.call ?? 'main';
    step.calls.forEach((call, i) => {
      const at = `steps[${index}].calls[${i}]`;
      const sameAs = call.expect?.same_as;
      if (sameAs !== undefined && !seen.has(`${label}:${sameAs}`))
        problems.push(`${at}.expect.same_as: no earlier tool call "${sameAs}" in call ${label}`);
      if (call.expect?.ignore_numbers !== undefined && sameAs === undefined)
        problems.push(`${at}.expect.ignore_numbers: only meaningful with same_as`);
      if (call.id !== undefined) {
        if (seen.has(`${label}:${call.id}`))
          problems.push(`${at}.id: "${call.id}" is already used in call ${label}`);
        seen.add(`${label}:${call.id}`);
      }
    });
  });
  return problems;
}

/** Schema errors as `field: problem`, one per field, without TypeBox's internal duplicates. */
function describe(errors: readonly SchemaError[], prefix: string): string[] {
  const byField = new Map<string, string>();
  const anyOfChildren = new Map<string, string[]>();
  for (const error of errors) {
    if (error.keyword === 'boolean') continue; // "schema is false": repeated by additionalProperties
    const field = fieldName(prefix, error.instancePath);
    if (/\/anyOf\/\d+$/.test(error.schemaPath)) {
      const type = (error.params as { type?: string }).type;
      if (type) anyOfChildren.set(field, [...(anyOfChildren.get(field) ?? []), type]);
      continue;
    }
    if (byField.has(field)) continue;
    byField.set(field, message(error, field, anyOfChildren.get(field)));
  }
  for (const [field, types] of anyOfChildren)
    if (!byField.has(field)) byField.set(field, `${field}: must be ${types.join(' or ')}`);
  return [...byField.values()];
}

function message(error: SchemaError, field: string, anyOf: string[] | undefined): string {
  const params = error.params as { requiredProperties?: string[]; additionalProperties?: string[] } | null;
  const join = (name: string) => (field ? `${field}.${name}` : name);
  if (params?.requiredProperties)
    return params.requiredProperties.map((p) => `${join(p)}: required`).join('; ');
  if (params?.additionalProperties)
    return params.additionalProperties.map((p) => `${join(p)}: unknown field`).join('; ');
  if (error.keyword === 'anyOf' && anyOf) return `${field}: must be ${anyOf.join(' or ')}`;
  return `${field || '(file)'}: ${error.message}`;
}

/** ("steps[2]", "/calls/0/expect/says") -> "steps[2].calls[0].expect.says" */
function fieldName(prefix: string, instancePath: string): string {
  const rest = instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('');
  return `${prefix}${rest}`.replace(/^\./, '');
}
