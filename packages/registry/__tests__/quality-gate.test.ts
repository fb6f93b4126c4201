import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { createMemoryLogger, type MemoryLogger } from '@wms/core';
import { createRegistry, renderGateSummary, runQualityGate, type ModelRegistry } from '../src';
import { fakeEvaluate, makeModelDir, makeTempDir } from '@wms/test-support';

let work: string;
let registry: ModelRegistry;
let logger: MemoryLogger;

beforeEach(async () => {
  work = await makeTempDir();
  logger = createMemoryLogger();
  registry = createRegistry({ workdir: work, logger, env: {} }).registry;
});
afterEach(async () => {
  await fsp.rm(work, { recursive: true, force: true });
});

async function crown(quality: { dice: number; iou: number }, recorded = quality): Promise<string> {
  const champion = await registry.getChampion('meter');
  const v = await registry.registerVersion({
    model: 'meter',
    artifactsDir: await makeModelDir(work, `champ-${Date.now()}`, quality),
    metrics: recorded,
  });
  await registry.promote('meter', v.version, { expectedChampionVersion: champion?.version ?? null });
  return v.version;
}

const gate = (candidateDir: string, policy = {}) =>
  runQualityGate(
    { model: 'meter', candidateModelDir: candidateDir, scratchDir: work, policy },
    { registry, evaluate: fakeEvaluate(), logger },
  );

describe('runQualityGate', () => {
  it('passes the first model against baseline 0 and says so', async () => {
    const result = await gate(await makeModelDir(work, 'cand', { dice: 0.4, iou: 0.3 }));
    expect(result).toEqual(
      expect.objectContaining({
        improved: true,
        championVersion: null,
        baselineSource: 'none',
        baseline: { dice: 0, iou: 0 },
      }),
    );
    expect(result.notes[0]).toContain('no champion yet');
    expect(renderGateSummary(result)).toContain('no champion yet (baseline 0)');
  });

  it('re-evaluates the champion on the same pairs rather than trusting its recorded metrics', async () => {
    const version = await crown({ dice: 0.7, iou: 0.6 }, { dice: 0.5, iou: 0.4 });
    const result = await gate(await makeModelDir(work, 'cand', { dice: 0.65, iou: 0.55 }));
    expect(result.championVersion).toBe(version);
    expect(result.baselineSource).toBe('re-evaluated');
    expect(result.improved).toBe(false);
    expect(result.baseline.dice).toBeCloseTo(0.7, 2);
    const summary = renderGateSummary(result);
    expect(summary).toContain('❌ Not improved');
    expect(summary).toMatch(/\| Dice \| 0\.7\d+ \| 0\.65\d+ \| −0\.0500 \|/);
  });

  it('falls back to recorded metrics when the champion cannot be loaded, and says so', async () => {
    await crown({ dice: 0.7, iou: 0.6 }, { dice: 0.5, iou: 0.4 });
    // Break the stored artifacts: the evaluator cannot read model.json any more.
    const versions = join(work, '.wms/registry/models/meter/versions/1');
    await fsp.rm(join(versions, 'model.json'));
    const result = await gate(await makeModelDir(work, 'cand', { dice: 0.6, iou: 0.5 }));
    expect(result).toEqual(
      expect.objectContaining({ improved: true, baselineSource: 'recorded', baseline: { dice: 0.5, iou: 0.4 } }),
    );
    expect(result.notes.join('\n')).toContain('could not be re-evaluated');
    expect(logger.messages('warning').join('\n')).toContain('compared against its recorded metrics');
    expect(renderGateSummary(result)).toContain('recorded metrics (could not re-evaluate)');
  });

  it('refuses NaN candidate metrics with a clear error', async () => {
    const broken = async () => ({ perImage: [], mean: { dice: Number.NaN, iou: 0.1 }, count: 0, threshold: 0.5 });
    await expect(
      runQualityGate({ model: 'meter', candidateModelDir: work }, { registry, evaluate: broken, logger }),
    ).rejects.toThrow(/Candidate Dice is NaN/);
  });

  it('reports the bootstrap in the summary when significance is required', async () => {
    await crown({ dice: 0.6, iou: 0.5 });
    const result = await gate(await makeModelDir(work, 'cand', { dice: 0.65, iou: 0.55 }), {
      requireSignificance: true,
    });
    expect(result.improved).toBe(true);
    expect(renderGateSummary(result)).toContain('Paired bootstrap over per-image Dice');
  });
});
