// A broken scenario file is refused before anything runs, naming the file and each field at fault.
import { describe, expect, it } from 'vitest';
import { ScenarioError, loadScenarios, parseScenario } from '../../evals/scenario-loader.js';

const FILE = 'evals/scenarios/bad-one.json';
const valid = {
  name: 'bad-one',
  description: 'a call',
  steps: [{ calls: [{ tool: 'list_order', args: {}, expect: { says: ['empty'] } }] }],
};
const problemsOf = (json: unknown): string => {
  try {
    parseScenario(json, FILE, '+14155550000');
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message;
  }
  throw new Error('the scenario was accepted');
};

describe('scenario files', () => {
  it('accepts a valid one with the default caller, and every file in evals/scenarios', async () => {
    expect(parseScenario(valid, FILE, '+14155550000')).toMatchObject({
      name: 'bad-one',
      caller: '+14155550000',
    });
    expect((await loadScenarios()).length).toBeGreaterThanOrEqual(28);
  });

  it('names the file and the field of each mistake', () => {
    const message = problemsOf({
      ...valid,
      steps: [
        { calls: [{ tool: 'add_item', args: 42, expects: {} }] },
        { calls: [{ tool: 'list_order', expect: { says: 'empty' } }] },
        { restart: true, redeliver: true },
      ],
    });
    expect(message).toMatch(/^evals\/scenarios\/bad-one\.json: /);
    expect(message).toContain('steps[0].calls[0].expects: unknown field');
    expect(message).toContain('steps[0].calls[0].args: must be object or string');
    expect(message).toContain('steps[1].calls[0].expect.says: must be array');
    expect(message).toContain('steps[2]: a step has exactly one of');
  });

  it('refuses a name other than the file name, unknown or invalid settings and dangling references', () => {
    expect(problemsOf({ ...valid, name: 'other' })).toContain('name: must be the file\'s name "bad-one"');
    expect(problemsOf({ ...valid, env: { DATABASE_URL: 'postgres://x' } })).toContain(
      'env.DATABASE_URL: not a setting a scenario may change',
    );
    expect(problemsOf({ ...valid, env: { DELIVERY_RADIUS_KM: '-1' } })).toContain('env.DELIVERY_RADIUS_KM');
    expect(
      problemsOf({ ...valid, steps: [{ calls: [{ tool: 'list_order', expect: { same_as: 'nope' } }] }] }),
    ).toContain('steps[0].calls[0].expect.same_as: no earlier tool call "nope"');
    expect(problemsOf({ ...valid, steps: [{ redeliver: true }] })).toContain(
      'steps[0].redeliver: no tool-calls message before it',
    );
  });
});
