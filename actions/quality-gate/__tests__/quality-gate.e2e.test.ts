/**
 * The committed quality-gate bundle run the way the runner runs it: a tiny model trained in the
 * test (train action's main, wasm), then the bundle scores it with the real evaluator (sharp is
 * installed by the bundle into the tool cache) against the local store in the workspace.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createMemoryLogger, createMemoryRunTracker, noProgress, parseInputs } from '@wms/core';
import {
  describeWithMlflowServer,
  e2eNodes,
  runActionBundle,
  startMlflowServer,
  writeTinyDataset,
  type RunningMlflowServer,
} from '@wms/test-support';
import { runTrainAction } from '../../train/src/main';
import { spec as trainSpec } from '../../train/src/spec';

jest.setTimeout(300_000);

let workspace: string;
let modelDir: string;

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'wms-gate-e2e-'));
  await writeTinyDataset(join(workspace, 'data'), 16, 5);
  mkdirSync(join(workspace, 'WMS/configs'), { recursive: true });
  writeFileSync(
    join(workspace, 'WMS/configs/train.yaml'),
    'model: { input_size: 32, base_filters: 4, depth: 2 }\ntraining: { epochs: 3, learning_rate: 0.01, time_budget_sec: 20 }\n',
  );
  const inputs = parseInputs(trainSpec, (n) => ({ 'data-dir': 'data', backend: 'wasm' })[n] ?? '');
  const ctx = {
    logger: createMemoryLogger(),
    summary: { write: () => undefined },
    progress: () => noProgress,
    workspace,
    env: {},
  };
  const trained = await runTrainAction(inputs, ctx, async () => createMemoryRunTracker('run-e2e'));
  modelDir = relative(workspace, String(trained.outputs['model-dir']));
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe.each(e2eNodes())('quality-gate bundle on %s', (node) => {
  it('scores the first model against baseline 0 and sets every output', async () => {
    const inputs = {
      'model-dir': modelDir,
      'dataset-dir': 'data',
      'fail-on-regression': 'false',
      'tracking-uri': `store-${node}`,
    };
    const r = await runActionBundle({ action: 'quality-gate', node, workspace, inputs });
    // The log tail makes a failure readable.
    expect({ exitCode: r.exitCode, log: r.exitCode === 0 ? '' : r.stdout.slice(-3000) + r.stderr }).toEqual({
      exitCode: 0,
      log: '',
    });
    expect(r.outputs).toEqual(
      expect.objectContaining({
        'champion-version': 'none',
        'baseline-dice': '0',
        'baseline-iou': '0',
        'baseline-source': 'none',
      }),
    );
    expect(Number(r.outputs['candidate-dice'])).toBeGreaterThanOrEqual(0);
    expect(['true', 'false']).toContain(r.outputs.improved);
    expect(r.summary).toContain('## Quality gate: water-meter');
    // gate-result.json in the default output dir; no champion, so its champion list is empty.
    expect(r.outputs['scores-path']).toBe(join(workspace, 'wms-gate-output', 'gate-result.json'));
    const scores = JSON.parse(readFileSync(r.outputs['scores-path']!, 'utf8'));
    expect(scores).toEqual(expect.objectContaining({ champion: null, perImage: [] }));
    expect(scores.candidate.perImage.length).toBeGreaterThan(0);
  });

  it('fails the step with the input named when model-dir has no metrics.json', async () => {
    const r = await runActionBundle({
      action: 'quality-gate',
      node,
      workspace,
      inputs: { 'model-dir': 'data', 'dataset-dir': 'data', 'tracking-uri': 'local' },
    });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("Cannot read the candidate's");
    expect(r.stdout).toContain("Point 'model-dir' at the train stage's output directory");
  });
});

describeWithMlflowServer('quality-gate bundle against a real MLflow server', () => {
  let server: RunningMlflowServer;
  beforeAll(async () => {
    server = await startMlflowServer();
  }, 90_000);
  afterAll(() => server?.stop());

  it.each(e2eNodes())('on %s: the first-ever gate (no registered model, no alias) has baseline 0', async (node) => {
    const inputs = {
      'model-dir': modelDir,
      'dataset-dir': 'data',
      'fail-on-regression': 'false',
      'tracking-uri': server.url,
      'model-name': `never-registered-${node}`,
    };
    const r = await runActionBundle({ action: 'quality-gate', node, workspace, inputs });
    expect({ exitCode: r.exitCode, log: r.exitCode === 0 ? '' : r.stdout.slice(-3000) + r.stderr }).toEqual({
      exitCode: 0,
      log: '',
    });
    expect(r.outputs).toEqual(expect.objectContaining({ 'champion-version': 'none', 'baseline-source': 'none' }));
  });

  it.each(e2eNodes())('on %s: a wrong base path fails the step naming the URL and the input', async (node) => {
    const inputs = { 'model-dir': modelDir, 'dataset-dir': 'data', 'tracking-uri': `${server.url}/mlflow` };
    const r = await runActionBundle({ action: 'quality-gate', node, workspace, inputs });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(`${server.url}/mlflow/api/2.0/mlflow/registered-models/alias`);
    expect(r.stdout).toContain("input 'tracking-uri'");
  });
});
