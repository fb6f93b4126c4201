/**
 * The committed train bundle run the way the runner runs it (no node_modules; sharp installed by
 * the bundle into the tool cache, the .wasm files beside it): tiny data, tiny config, a few
 * seconds of training, the run logged to a local store in the workspace.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyDataset } from '@wms/test-support';
import { e2eNodes, runActionBundle } from '@wms/test-support';

jest.setTimeout(300_000);

let workspace: string;

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'wms-train-e2e-'));
  await writeTinyDataset(join(workspace, 'data'), 16, 5);
  mkdirSync(join(workspace, 'WMS/configs'), { recursive: true });
  writeFileSync(
    join(workspace, 'WMS/configs/train.yaml'),
    'model: { input_size: 32, base_filters: 4, depth: 2 }\ntraining: { epochs: 3, learning_rate: 0.01 }\n',
  );
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe.each(e2eNodes())('train bundle on %s', (node) => {
  it('trains, saves the model, sets every output and writes the summary', async () => {
    const inputs = {
      'data-dir': 'data',
      'output-dir': `out-${node}`,
      'tracking-uri': `store-${node}`,
      'time-budget': '20',
    };
    const r = await runActionBundle({ action: 'train', node, workspace, inputs });
    expect({ exitCode: r.exitCode, log: r.exitCode === 0 ? '' : r.stdout.slice(-3000) + r.stderr }).toEqual({
      exitCode: 0,
      log: '',
    });
    const modelDir = join(workspace, `out-${node}`, 'model');
    expect(r.outputs['model-dir']).toBe(modelDir);
    for (const file of ['model.json', 'weights.bin', 'metrics.json', 'inference.json', 'refine/model.json'])
      expect(existsSync(join(modelDir, file))).toBe(true);
    expect(Number(r.outputs.dice)).toBeGreaterThanOrEqual(0);
    expect(Number(r.outputs.iou)).toBeGreaterThanOrEqual(0);
    expect(r.outputs['run-id']).toBeTruthy();
    expect(['wasm', 'tensorflow', 'cpu']).toContain(r.outputs.backend);
    const record = JSON.parse(readFileSync(join(modelDir, 'metrics.json'), 'utf8')) as { runId: string };
    expect(record.runId).toBe(r.outputs['run-id']);
    expect(r.summary).toContain('## Train');
    expect(r.stdout).toMatch(/epoch 1\/3: train loss/);
    // Both networks trained at once, each in a worker thread started from the bundle's files.
    expect(r.stdout).toMatch(/refine epoch 1\/3: train loss/);
    expect(r.stdout).toMatch(/Training \(refine\): 1 worker thread on wasm/);
  });

  it('fails the step naming the config key for an invalid config', async () => {
    writeFileSync(join(workspace, `bad-${node}.yaml`), 'training:\n  batch_size: 0\n');
    const r = await runActionBundle({
      action: 'train',
      node,
      workspace,
      inputs: { 'data-dir': 'data', config: `bad-${node}.yaml` },
    });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("'training.batch_size' = 0");
  });
});
