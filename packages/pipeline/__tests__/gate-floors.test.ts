/** train.yaml's baseline floors reach the gate: read from the workspace config, applied, shown in the summary. */
import { mkdirSync, promises as fsp, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMemoryLogger } from '@wms/core';
import { createRegistry, renderGateSummary } from '@wms/registry';
import { fakeEvaluate, makeModelDir, makeTempDir } from '@wms/test-support';
import { runGateStage } from '../src/gate-stage';

let workspace: string;
beforeEach(async () => {
  workspace = await makeTempDir('wms-gate-floors-');
});
afterEach(() => fsp.rm(workspace, { recursive: true, force: true }));

async function gate(config?: string) {
  const logger = createMemoryLogger();
  const candidate = await makeModelDir(workspace, 'cand', { dice: 0.8, iou: 0.62 });
  const { registry } = createRegistry({ workdir: workspace, logger, env: {} });
  return runGateStage(
    { model: 'm', candidateModelDir: candidate, datasetDir: '.', workspace, config },
    { registry, logger, makeEvaluator: async () => fakeEvaluate() },
  );
}

it("applies the workspace train.yaml's floors to the first model and shows them", async () => {
  mkdirSync(join(workspace, 'WMS/configs'), { recursive: true });
  writeFileSync(join(workspace, 'WMS/configs/train.yaml'), 'baseline:\n  min_dice: 0.75\n  min_iou: 0.7\n');
  const result = await gate();
  expect(result.improved).toBe(false);
  expect(result.reason).toMatch(/Below the absolute floor every candidate must reach: IoU 0\.6\d+ < 0\.7/);
  expect(renderGateSummary(result)).toContain(
    'Absolute floor (baseline.min_dice / min_iou): Dice ≥ 0.75 (met), IoU ≥ 0.7 (not met).',
  );
});

it('is off without a config, and reads a named one', async () => {
  const off = await gate();
  expect(off.improved).toBe(true);
  expect(renderGateSummary(off)).not.toContain('Absolute floor');
  writeFileSync(join(workspace, 'strict.yaml'), 'baseline:\n  min_dice: 0.95\n');
  const strict = await gate('strict.yaml');
  expect(strict.reason).toContain('Dice 0.8');
  expect(strict.improved).toBe(false);
});
