// The conversation evals (evals/scenarios/*.json) as tests: one test per scripted call, replayed through the
// webhook of the real app on each available backend. A failure lists every unmet expectation with its step.
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../evals/replay.js';
import { ScenarioDatabases } from '../../evals/scenario-databases.js';
import { loadScenarios } from '../../evals/scenario-loader.js';
import { availableBackends, createTestDatabase } from '../helpers/test-database.js';

const scenarios = await loadScenarios();

describe.each(availableBackends())('conversation evals on %s', (backend) => {
  const databases = new ScenarioDatabases({ backend, create: () => createTestDatabase(backend) });
  afterAll(() => databases.close());

  it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const result = await runScenario(scenario, databases);
    expect(result.failures, `${scenario.file}: ${scenario.description}`).toEqual([]);
  });
});
