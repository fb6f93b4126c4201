/**
 * The demo's story end to end, with the same runDemo as `pnpm demo` on small generated data and a
 * small config so it fits in CI: run 1 promotes the first model; new pairs arrive; run 2 trains on
 * the grown dataset and the gate decides against the champion re-scored on the same pairs. The
 * GitHub-only stages run on the dry-run client (no request leaves the process).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '@wms/core';
import { discoverPairs } from '@wms/dataset';
import { createRegistry } from '@wms/registry';
import { ARRIVAL_PREFIX, DEMO_GIT_REMOTE, runDemo } from '../src';

const SMALL_CONFIG = `model:
  input_size: 64
  depth: 3
  base_filters: 8
# Fixed epochs (the budget is a cap), as in the demo's own config: both runs train equally long.
training:
  epochs: 8
  batch_size: 8
  early_stopping_patience: 8
  time_budget_sec: 120
# One network in this thread: the test is about the pipeline's decisions, and two training
# threads beside the other test workers made the time-boxed runs flaky on 2 cores.
refine:
  enabled: false
`;

const STAGES = [
  'data-push',
  'data-qa',
  'open-data-pr',
  'start-infra',
  'train',
  'quality-gate',
  'promote',
  'report-results',
  'auto-merge',
  'stop-infra',
];

jest.setTimeout(300_000);

describe('runDemo (sample data, then new pairs arrive)', () => {
  it('promotes the first model, then lets the gate decide on the grown dataset against the re-scored champion', async () => {
    const workdir = mkdtempSync(join(tmpdir(), 'wms-demo-'));
    const config = join(workdir, 'small.yaml');
    writeFileSync(config, SMALL_CONFIG);
    const logger = createMemoryLogger();
    const result = await runDemo(
      { workdir, count: 40, newCount: 12, width: 256, height: 192, seed: 3, config, model: 'water-meter', env: {} },
      { logger },
    );
    const { first, second } = result;

    // Run 1: the first model ever.
    expect(first.qa.valid).toBe(true);
    expect(first.qa.counts.validPairs).toBe(40);
    expect(first.gate?.baselineSource).toBe('none');
    expect(first.gate?.improved).toBe(true);
    expect(first.promotion?.version).toBe('1');
    expect(first.stages.map((s) => s.stage)).toEqual(STAGES);

    // Both data versions went through the real data-push stage: data-qa on the new files, objects
    // into the demo's folder store, pointer files on a data/ branch of its own bare remote.
    const [push1, push2] = result.pushes.map((p) => p.push);
    expect(push1!.folders.map((f) => [f.out, f.added])).toEqual([
      ['images', 40],
      ['masks', 40],
    ]);
    expect(push2!.folders.map((f) => [f.out, f.added])).toEqual([
      ['images', 12],
      ['masks', 12],
    ]);
    expect(result.pushes[1]!.qa?.counts.validPairs).toBe(12);
    const remoteBranches = execFileSync('git', ['for-each-ref', '--format=%(refname:short)', 'refs/heads'], {
      cwd: join(workdir, DEMO_GIT_REMOTE),
    })
      .toString()
      .trim()
      .split('\n');
    expect(remoteBranches.sort()).toEqual([push1!.branch, push2!.branch].sort());
    expect(second.stages[0]).toEqual(
      expect.objectContaining({ stage: 'data-push', result: expect.stringContaining(`pushed ${push2!.branch}`) }),
    );
    expect(second.stages.find((s) => s.stage === 'open-data-pr')?.result).toContain(push2!.branch);

    // New pairs arrived in the dataset folder; run 2 trained on all of them.
    const { pairs } = await discoverPairs({ root: join(workdir, 'WMS/data/training') });
    expect(pairs.filter((p) => p.id.startsWith(ARRIVAL_PREFIX))).toHaveLength(12);
    expect(result.arrivals.count).toBe(12);
    expect(second.qa.counts.validPairs).toBe(52);
    const splitOf = (r: typeof second) =>
      (
        JSON.parse(readFileSync(join(r.train!.modelDir, 'metrics.json'), 'utf8')) as {
          split: { train: string[]; validation: string[]; test: string[] };
        }
      ).split;
    const { train, validation, test } = splitOf(second);
    const secondSplit = [...train, ...validation, ...test];
    expect(secondSplit.filter((id) => id.startsWith(ARRIVAL_PREFIX))).toHaveLength(12);

    // The gate re-scored champion v1 on exactly the candidate's held-out pairs and decided.
    const gate = second.gate!;
    expect(gate.championVersion).toBe('1');
    expect(gate.baselineSource).toBe('re-evaluated');
    const ids = (scores: { id: string }[] | null) => (scores ?? []).map((s) => s.id).sort();
    expect(ids(gate.perImage.champion)).toEqual(ids(gate.perImage.candidate));
    expect(gate.perImage.candidate).toHaveLength(gate.evaluatedImages);
    const scores = JSON.parse(readFileSync(gate.scoresPath!, 'utf8'));
    expect(scores.champion.version).toBe('1');
    expect(scores.perImage).toEqual(gate.perImage.champion);
    expect(scores.candidate.perImage).toEqual(gate.perImage.candidate);

    // Whatever the gate decided is what happened in the registry, and the verdict explains it.
    const champion = await createRegistry({ workdir, logger, env: {} }).registry.getChampion('water-meter');
    const metadata = JSON.parse(readFileSync(join(workdir, 'model-metadata.json'), 'utf8'));
    if (gate.improved) {
      expect(second.promotion?.version).toBe('2');
      expect(champion?.version).toBe('2');
      expect(metadata.metrics.dice).toBeCloseTo(gate.candidate.dice, 10);
      expect(result.verdict).toContain('v2 is the new champion');
      expect(second.stages.find((s) => s.stage === 'promote')?.result).toBe('water-meter v2 is the champion (was v1)');
    } else {
      expect(second.promotion).toBeUndefined();
      expect(champion?.version).toBe('1');
      expect(metadata.version).toBe('1');
      expect(second.stoppedBecause).toBe(`Quality gate: ${gate.reason}`);
      expect(result.verdict).toContain(`It kept champion v1: ${gate.reason}`);
      expect(second.stages.find((s) => s.stage === 'promote')?.result).toBe('skipped: the gate did not pass');
    }
    expect(result.verdict).toContain(`on the candidate's ${gate.evaluatedImages} held-out pairs`);
    expect(existsSync(join(workdir, 'model-history.jsonl'))).toBe(true);

    // The GitHub-only stages ran through their stage functions on the dry-run client.
    for (const name of ['open-data-pr', 'report-results', 'auto-merge']) {
      expect(second.stages.find((s) => s.stage === name)?.result).toMatch(/^dry run: would /);
    }
    expect(second.stages.find((s) => s.stage === 'start-infra')?.result).toMatch(/^would start the MLflow host/);
    const dryRun = logger.messages('info').filter((m) => m.startsWith('[dry run] '));
    expect(dryRun).toContainEqual(expect.stringMatching(/^\[dry run\] POST \/repos\/your-org\/wms-pipeline\/pulls /));
    expect(dryRun).toContainEqual(
      expect.stringMatching(/^\[dry run\] POST \/repos\/your-org\/wms-pipeline\/issues\/0\/comments /),
    );
    expect(dryRun).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^\\[dry run\\] POST /repos/your-org/wms-pipeline/statuses/\\w+ .*"state":"${gate.improved ? 'success' : 'failure'}"`,
        ),
      ),
    );

    // The closing summary: both runs, their stage tables and where everything went.
    expect(result.summary).toContain('promoted as v1');
    expect(result.summary).toContain('| 2 | 52 pairs (+12 new) |');
    expect(result.summary).toContain('### Run 2: stages');
    expect(result.summary).toContain(`- gate-result.json (per-photo scores): \`${gate.scoresPath}\``);
    expect(result.summary).toContain('### Where everything was written');
  });
});
