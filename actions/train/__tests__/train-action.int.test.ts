/** The train action's main() with a memory tracker: tiny data, tiny config, a few seconds of wasm training. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, createMemoryRunTracker, noProgress, parseInputs } from '@wms/core';
import type { ActionContext } from '@wms/core/action';
import { writeTinyDataset } from '@wms/test-support';
import { runTrainAction } from '../src/main';
import { spec } from '../src/spec';
import type { TrackerRequest } from '@wms/pipeline';

jest.setTimeout(90_000);

const TINY_CONFIG = `
model: { input_size: 32, base_filters: 4, depth: 2 }
training: { epochs: 8, learning_rate: 0.01, time_budget_sec: 60 }
`;

function context(workspace: string): ActionContext & { logger: ReturnType<typeof createMemoryLogger> } {
  return {
    logger: createMemoryLogger(),
    progress: () => noProgress,
    workspace,
    env: {},
  };
}

describe('train action', () => {
  let workspace: string;

  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'wms-train-action-'));
    await writeTinyDataset(join(workspace, 'data'), 16, 5);
    mkdirSync(join(workspace, 'WMS/configs'), { recursive: true });
    writeFileSync(join(workspace, 'WMS/configs/train.yaml'), TINY_CONFIG);
  });
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it('trains with the workspace config, sets every output and writes the summary', async () => {
    const tracker = createMemoryRunTracker('run-42');
    const requests: TrackerRequest[] = [];
    const inputs = parseInputs(
      spec,
      (name) => ({ 'data-dir': 'data', backend: 'wasm', 'time-budget': '20' })[name] ?? '',
    );
    const ctx = context(workspace);
    const result = await runTrainAction(inputs, ctx, async (request) => {
      requests.push(request);
      return tracker;
    });
    expect(Object.keys(result.outputs).sort()).toEqual(Object.keys(spec.outputs).sort());
    expect(result.outputs['model-dir']).toBe(join(workspace, 'wms-train-output', 'model'));
    expect(result.outputs['run-id']).toBe('run-42');
    expect(result.outputs.backend).toBe('wasm');
    expect(result.outputs.dice).toBeGreaterThan(0);
    expect(result.summary).toContain('## Train');
    expect(requests[0]).toMatchObject({ trackingUri: undefined, experiment: 'water-meter-segmentation', workspace });
    expect(tracker.params['model.input_size']).toBe(32);
    expect(tracker.status).toBe('FINISHED');
    expect(ctx.logger.messages('info')).toContain('Config: WMS/configs/train.yaml');
  });

  it('fails with a user error for a missing explicit config or an empty dataset', async () => {
    const tracker = async (): Promise<ReturnType<typeof createMemoryRunTracker>> => createMemoryRunTracker();
    const missing = parseInputs(spec, (n) => ({ 'data-dir': 'data', config: 'nope.yaml' })[n] ?? '');
    await expect(runTrainAction(missing, context(workspace), tracker)).rejects.toThrow(/nope\.yaml does not exist/);
    mkdirSync(join(workspace, 'empty/images'), { recursive: true });
    mkdirSync(join(workspace, 'empty/masks'), { recursive: true });
    const empty = parseInputs(spec, (n) => ({ 'data-dir': 'empty' })[n] ?? '');
    await expect(runTrainAction(empty, context(workspace), tracker)).rejects.toThrow(/No image\/mask pairs/);
  });

  it('rejects a bad backend or budget before training', () => {
    expect(() => parseInputs(spec, (n) => ({ 'data-dir': 'd', backend: 'gpu' })[n] ?? '')).toThrow(/backend/);
    expect(() => parseInputs(spec, (n) => ({ 'data-dir': 'd', 'time-budget': '0' })[n] ?? '')).toThrow(/time-budget/);
  });
});
