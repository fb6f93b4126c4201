/**
 * What the bundler emits beside train's index.js must be found at run time with no node_modules:
 * the side entries (dist/data-parallel-worker.js started as worker threads, dist/replica-loss.js
 * which the workers require) and the tfjs .wasm binaries (WMS_TFJS_WASM_DIR, set by the
 * generated entry).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyDataset } from '@wms/test-support';
import { e2eNodes, REPO_ROOT, runActionBundle } from '@wms/test-support';

jest.setTimeout(300_000);

const trainDist = join(REPO_ROOT, 'actions', 'train', 'dist');
const describeIfBuilt = existsSync(join(trainDist, 'data-parallel-worker.js')) ? describe : describe.skip;

let workspace: string;
beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'wms-bundle-assets-e2e-'));
  await writeTinyDataset(join(workspace, 'data'), 16, 5);
  mkdirSync(join(workspace, 'configs'), { recursive: true });
  writeFileSync(
    join(workspace, 'configs', 'workers.yaml'),
    'model: { input_size: 32, base_filters: 4, depth: 2 }\ntraining: { epochs: 2, learning_rate: 0.01, workers: 2 }\n',
  );
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describeIfBuilt.each(e2eNodes())('train bundle assets on %s', (node) => {
  it('trains on the wasm backend with 2 worker threads started from the emitted worker file', async () => {
    const r = await runActionBundle({
      action: 'train',
      node,
      workspace,
      inputs: {
        'data-dir': 'data',
        config: 'configs/workers.yaml',
        backend: 'wasm',
        'output-dir': `out-${node}`,
        'tracking-uri': `store-${node}`,
      },
    });
    expect({ exitCode: r.exitCode, log: r.exitCode === 0 ? '' : r.stdout.slice(-3000) + r.stderr }).toEqual({
      exitCode: 0,
      log: '',
    });
    expect(r.outputs.backend).toBe('wasm');
    expect(r.stdout).toContain('Training: 2 data-parallel workers on wasm');
    // The workers load the training loss from dist/replica-loss.js, emitted as a side entry.
    expect(r.annotations.filter((a) => a.level !== 'notice')).toEqual([]);
    expect(existsSync(join(workspace, `out-${node}`, 'model', 'model.json'))).toBe(true);
  });
});
