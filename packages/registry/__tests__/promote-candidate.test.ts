import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { createMemoryLogger, type MemoryLogger } from '@wms/core';
import {
  ChampionChangedError,
  createRegistry,
  MODEL_HISTORY_FILE,
  promoteCandidate,
  readModelHistory,
  renderPromotionSummary,
  type ModelRegistry,
  type PromoteCandidateOptions,
} from '../src';
import { makeModelDir, makeTempDir } from '@wms/test-support';

let work: string;
let registry: ModelRegistry;
let logger: MemoryLogger;
const now = () => new Date('2026-11-27T12:00:00Z');

beforeEach(async () => {
  work = await makeTempDir();
  logger = createMemoryLogger();
  registry = createRegistry({ workdir: work, logger, env: {} }).registry;
});
afterEach(async () => {
  await fsp.rm(work, { recursive: true, force: true });
});

async function options(overrides: Partial<PromoteCandidateOptions> = {}): Promise<PromoteCandidateOptions> {
  return {
    model: 'meter',
    candidateModelDir: await makeModelDir(work, `cand-${Math.random()}`, { dice: 0.7, iou: 0.6 }),
    runId: 'run-1',
    expectedChampionVersion: null,
    candidate: { dice: 0.7, iou: 0.6 },
    baseline: { dice: 0, iou: 0 },
    reason: 'Improved over baseline 0',
    github: { id: '99', url: 'https://github.com/o/r/actions/runs/99', sha: 'abc123', pr: 12, actor: 'octocat' },
    metadataDir: join(work, 'models'),
    trainingDataCount: 80,
    ...overrides,
  };
}

describe('promoteCandidate', () => {
  it('registers, promotes, records provenance tags and writes the seed metadata + history', async () => {
    const first = await promoteCandidate(await options(), { registry, logger, now });
    expect(first).toEqual(expect.objectContaining({ version: '1', previousVersion: null }));
    const second = await promoteCandidate(
      await options({
        expectedChampionVersion: '1',
        candidate: { dice: 0.8, iou: 0.7 },
        baseline: { dice: 0.7, iou: 0.6 },
        runId: 'run-2',
      }),
      { registry, logger, now },
    );
    expect(second.previousVersion).toBe('1');

    const metadata = JSON.parse(await fsp.readFile(second.metadataPath!, 'utf8'));
    expect(metadata).toEqual({
      version: '2',
      run_id: 'run-2',
      metrics: { dice: 0.8, iou: 0.7 },
      baseline: { dice: 0.7, iou: 0.6 },
      trained_at: '2026-11-27T12:00:00.000Z',
      training_data_count: 80,
      github_run: { id: '99', url: 'https://github.com/o/r/actions/runs/99', sha: 'abc123', pr: 12 },
    });
    const history = await readModelHistory(join(work, 'models'));
    expect(history.map((h) => [h.version, h.previous_version])).toEqual([
      ['1', null],
      ['2', '1'],
    ]);
    const champion = await registry.getChampion('meter');
    expect(champion!.tags).toEqual(
      expect.objectContaining({
        'wms.run_id': 'run-2',
        'wms.git_sha': 'abc123',
        'wms.pr': '12',
        'wms.promoted_by': 'octocat',
      }),
    );
    expect(renderPromotionSummary(second, 'local')).toContain('version 1 (archived)');
  });

  it('keeps earlier history lines byte for byte', async () => {
    const dir = join(work, 'models');
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(join(dir, MODEL_HISTORY_FILE), '{"version":"0","legacy":true}');
    await promoteCandidate(await options(), { registry, logger, now });
    const lines = (await fsp.readFile(join(dir, MODEL_HISTORY_FILE), 'utf8')).split('\n');
    expect(lines[0]).toBe('{"version":"0","legacy":true}');
    expect(JSON.parse(lines[1]!).version).toBe('1');
  });

  it('refuses before registering anything when the champion moved since the gate', async () => {
    await promoteCandidate(await options(), { registry, logger, now });
    const stale = promoteCandidate(await options({ expectedChampionVersion: null }), { registry, logger, now });
    await expect(stale).rejects.toBeInstanceOf(ChampionChangedError);
    expect(await registry.history('meter')).toHaveLength(1);
  });

  it('two PRs finishing at once: one promotes, the other is refused and nothing worse replaces it', async () => {
    const better = await options({ candidate: { dice: 0.9, iou: 0.8 }, runId: 'better' });
    const worse = await options({ candidate: { dice: 0.6, iou: 0.5 }, runId: 'worse' });
    const results = await Promise.allSettled([
      promoteCandidate(better, { registry, logger }),
      promoteCandidate(worse, { registry, logger }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect(refused.reason).toBeInstanceOf(ChampionChangedError);
    const champion = await registry.getChampion('meter');
    // Whichever won, the loser never became champion afterwards.
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    expect(champion!.runId).toBe(winner === 0 ? 'better' : 'worse');
  });
});
