import { testActionContext } from '@wms/test-support';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { parseInputs } from '@wms/core';
import type { ActionContext } from '@wms/core/action';
import { createRegistry } from '@wms/registry';
import { fakeEvaluate, makeModelDir, makeTempDir } from '@wms/test-support';
import { runQualityGateAction } from '../src/main';
import { spec } from '../src/spec';

let workspace: string;
let ctx: ActionContext;

beforeEach(async () => {
  workspace = await makeTempDir('wms-gate-action-');
  ctx = testActionContext(workspace);
});
afterEach(async () => {
  await fsp.rm(workspace, { recursive: true, force: true });
});

const inputs = (raw: Record<string, string>) => parseInputs(spec, (name) => raw[name] ?? '');
const fakeEvaluator = async () => fakeEvaluate();

describe('quality-gate action', () => {
  it('passes the first model and outputs champion-version none', async () => {
    const modelDir = await makeModelDir(workspace, 'cand', { dice: 0.5, iou: 0.4 });
    const result = await runQualityGateAction(
      inputs({ 'model-dir': modelDir, 'dataset-dir': workspace }),
      ctx,
      fakeEvaluator,
    );
    expect(result.outputs).toEqual(
      expect.objectContaining({
        improved: true,
        'champion-version': 'none',
        'baseline-dice': 0,
        'baseline-source': 'none',
      }),
    );
    expect(result.failure).toBeUndefined();
    expect(result.summary).toContain('Quality gate: water-meter');
    const file = JSON.parse(await fsp.readFile(String(result.outputs['scores-path']), 'utf8'));
    expect(file).toEqual(expect.objectContaining({ champion: null, perImage: [], championVersion: null }));
    expect(file.candidate.mean.dice).toBe(result.outputs['candidate-dice']);
  });

  it('fails the job on regression unless fail-on-regression is false', async () => {
    const { registry } = createRegistry({ workdir: workspace, logger: ctx.logger, env: {} });
    const v = await registry.registerVersion({
      model: 'water-meter',
      artifactsDir: await makeModelDir(workspace, 'champ', { dice: 0.8, iou: 0.7 }),
      metrics: { dice: 0.8, iou: 0.7 },
    });
    await registry.promote('water-meter', v.version, { expectedChampionVersion: null });
    const modelDir = await makeModelDir(workspace, 'cand', { dice: 0.81, iou: 0.69 });
    const failing = await runQualityGateAction(
      inputs({ 'model-dir': modelDir, 'dataset-dir': workspace }),
      ctx,
      fakeEvaluator,
    );
    expect(failing.outputs).toEqual(expect.objectContaining({ improved: false, 'champion-version': '1' }));
    expect(failing.failure).toMatch(/^Quality gate: Not improved over the champion: IoU −0\.0100/);
    // gate-result.json: both models' per-photo scores on the same pairs, the champion's at the top
    // level (what report-results' champion-scores reads).
    expect(failing.outputs['scores-path']).toBe(join(workspace, 'wms-gate-output', 'gate-result.json'));
    const file = JSON.parse(await fsp.readFile(String(failing.outputs['scores-path']), 'utf8'));
    expect(file.candidate.perImage).toHaveLength(20);
    expect(file.champion.version).toBe('1');
    expect(file.champion.perImage).toHaveLength(20);
    expect(file.perImage).toEqual(file.champion.perImage);
    expect(file.perImage[0]).toEqual({ id: expect.any(String), dice: expect.any(Number), iou: expect.any(Number) });
    expect(file.candidate.perImage).not.toEqual(file.champion.perImage);
    expect(file.champion.mean.dice).toBe(failing.outputs['baseline-dice']);
    const lenient = await runQualityGateAction(
      inputs({ 'model-dir': modelDir, 'dataset-dir': workspace, 'fail-on-regression': 'false' }),
      ctx,
      fakeEvaluator,
    );
    expect(lenient.failure).toBeUndefined();
  });

  it('rejects a bad threshold input naming it', () => {
    expect(() => inputs({ 'model-dir': 'm', 'dataset-dir': 'd', 'min-dice-delta': 'abc' })).toThrow(
      /Input 'min-dice-delta' received "abc"; expected a number >= 0 <= 1/,
    );
  });
});
