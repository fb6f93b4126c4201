/**
 * The real chain on a tiny model: train (train action, wasm) → quality gate with the real
 * evaluator (model package on the candidate's held-out pairs) → promote into the local store →
 * gate the same model again, which must NOT pass: the re-evaluated champion scores exactly the
 * same, and equal metrics are not an improvement. Once with the local store, once against a real
 * MLflow 2.12.2 server (first-ever gate and promotion: no registered model, no alias).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, createMemoryRunTracker, noProgress, parseInputs } from '@wms/core';
import type { ActionContext } from '@wms/core/action';
import {
  describeWithMlflowServer,
  startMlflowServer,
  writeTinyDataset,
  type RunningMlflowServer,
} from '@wms/test-support';
import { runPromoteAction } from '../../promote/src/main';
import { spec as promoteSpec } from '../../promote/src/spec';
import { runTrainAction } from '../../train/src/main';
import { spec as trainSpec } from '../../train/src/spec';
import { runQualityGateAction } from '../src/main';
import { spec } from '../src/spec';

jest.setTimeout(120_000);

let workspace: string;
const ctx = (): ActionContext => ({
  logger: createMemoryLogger(),
  progress: () => noProgress,
  workspace,
  env: { GITHUB_SHA: 'abc' },
});

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'wms-gate-real-'));
  await writeTinyDataset(join(workspace, 'data'), 16, 5);
  mkdirSync(join(workspace, 'WMS/configs'), { recursive: true });
  writeFileSync(
    join(workspace, 'WMS/configs/train.yaml'),
    'model: { input_size: 32, base_filters: 4, depth: 2 }\ntraining: { epochs: 4, learning_rate: 0.01, time_budget_sec: 30 }\n',
  );
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

let trained: Awaited<ReturnType<typeof runTrainAction>>;
beforeAll(async () => {
  const trainInputs = parseInputs(
    trainSpec,
    (n) => ({ 'data-dir': 'data', backend: 'wasm', 'time-budget': '10' })[n] ?? '',
  );
  trained = await runTrainAction(trainInputs, ctx(), async () => createMemoryRunTracker('run-1'));
});

async function gatePromoteAndRefuse(registry: Record<string, string>): Promise<void> {
  const modelDir = String(trained.outputs['model-dir']);
  const gateInputs = parseInputs(
    spec,
    (n) =>
      ({ 'model-dir': modelDir, 'dataset-dir': join(workspace, 'data'), 'fail-on-regression': 'false', ...registry })[
        n
      ] ?? '',
  );

  const first = await runQualityGateAction(gateInputs, ctx());
  expect(first.outputs['champion-version']).toBe('none');
  expect(first.outputs['candidate-dice']).toBeCloseTo(Number(trained.outputs.dice), 6);
  expect(first.outputs.improved).toBe(Number(trained.outputs.dice) > 0 && Number(trained.outputs.iou) > 0);

  const promoted = await runPromoteAction(
    parseInputs(
      promoteSpec,
      (n) =>
        ({
          'model-dir': modelDir,
          'expected-champion': 'none',
          'candidate-dice': String(first.outputs['candidate-dice']),
          'candidate-iou': String(first.outputs['candidate-iou']),
          'baseline-dice': '0',
          'baseline-iou': '0',
          ...registry,
        })[n] ?? '',
    ),
    ctx(),
  );
  expect(promoted.outputs.version).toBe('1');
  expect(existsSync(join(workspace, 'models/model-metadata.json'))).toBe(true);
  rmSync(join(workspace, 'models'), { recursive: true, force: true });

  const second = await runQualityGateAction(gateInputs, ctx());
  expect(second.outputs).toEqual(
    expect.objectContaining({ 'champion-version': '1', 'baseline-source': 're-evaluated', improved: false }),
  );
  expect(second.outputs['baseline-dice']).toBeCloseTo(Number(first.outputs['candidate-dice']), 10);
}

it('local store: gates, promotes, and refuses the same model a second time', () =>
  gatePromoteAndRefuse({ 'model-name': 'local-meter' }));

describeWithMlflowServer('against a real MLflow server', () => {
  let server: RunningMlflowServer;
  beforeAll(async () => {
    server = await startMlflowServer();
  }, 90_000);
  afterAll(() => server?.stop());

  it.each(['alias', 'stage'])('%s style: the first-ever gate and promotion, then the same model refused', (style) =>
    gatePromoteAndRefuse({ 'model-name': `meter-${style}`, 'tracking-uri': server.url, 'registry-style': style }),
  );
});
