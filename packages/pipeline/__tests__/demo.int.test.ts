/**
 * The local pipeline end to end, twice (issue: "the first model is promoted, a second
 * worse-by-construction run is rejected with a clear reason"), on small generated data and a
 * small first-run config so it fits in CI. Uses the same runDemo as `pnpm demo`.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '@wms/core';
import { createRegistry } from '@wms/registry';
import { runDemo } from '../src';

const SMALL_CONFIG = `model:
  input_size: 64
  depth: 3
  base_filters: 8
training:
  epochs: 40
  batch_size: 8
  time_budget_sec: 45
# One network in this thread: the test is about the pipeline's decisions, and two training
# threads beside the other test workers made the time-boxed runs flaky on 2 cores. The refine
# network is covered by packages/model and the train action's tests, and pnpm demo runs it.
refine:
  enabled: false
`;

jest.setTimeout(240_000);

describe('runDemo (local pipeline twice)', () => {
  it('promotes the first model, rejects the worse second one, and records both', async () => {
    const workdir = mkdtempSync(join(tmpdir(), 'wms-demo-'));
    const config = join(workdir, 'small.yaml');
    writeFileSync(config, SMALL_CONFIG);
    const logger = createMemoryLogger();
    const result = await runDemo(
      {
        workdir,
        count: 48,
        width: 256,
        height: 192,
        seed: 3,
        timeBudgetSec: 45,
        config,
        model: 'water-meter',
        env: {},
      },
      { logger },
    );

    expect(result.first.qa.valid).toBe(true);
    expect(result.first.gate?.improved).toBe(true);
    expect(result.first.gate?.baselineSource).toBe('none');
    expect(result.first.promotion?.version).toBe('1');

    expect(result.second.gate?.improved).toBe(false);
    expect(result.second.gate?.championVersion).toBe('1');
    expect(result.second.gate?.baselineSource).toBe('re-evaluated');
    expect(result.second.promotion).toBeUndefined();
    expect(result.second.stoppedBecause).toMatch(/^Quality gate: Not improved over the champion/);
    expect(result.second.gate!.candidate.dice).toBeLessThan(result.first.gate!.candidate.dice);

    const backend = createRegistry({ workdir, logger, env: {} });
    const champion = await backend.registry.getChampion('water-meter');
    expect(champion?.version).toBe('1');
    const metadata = JSON.parse(readFileSync(join(workdir, 'model-metadata.json'), 'utf8'));
    expect(metadata.version).toBe('1');
    expect(metadata.metrics.dice).toBeCloseTo(result.first.gate!.candidate.dice, 10);
    expect(existsSync(join(workdir, 'model-history.jsonl'))).toBe(true);
    expect(result.summary).toContain('promoted as v1');
    expect(result.summary).toContain('rejected: Quality gate');

    // A second demo in the same folder reuses the data but starts from an empty registry.
    const again = await runDemo(
      {
        workdir,
        count: 48,
        width: 256,
        height: 192,
        seed: 3,
        timeBudgetSec: 20,
        config,
        model: 'water-meter',
        env: {},
      },
      { logger },
    );
    expect(logger.messages('info')).toContain(`Sample data: reusing ${join(workdir, 'WMS/data/training')}`);
    expect(again.first.gate?.baselineSource).toBe('none');
    expect(again.first.stoppedBecause).toBeUndefined();
    expect(again.first.promotion?.version).toBe('1');
  });
});
