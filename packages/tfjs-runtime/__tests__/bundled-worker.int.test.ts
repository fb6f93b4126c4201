import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { createMemoryLogger } from '@wms/core';
import {
  createDataParallelTrainer,
  DATA_PARALLEL_WORKER_FILE,
  describeModel,
  ModelReplica,
  WASM_BINARY_FILES,
} from '../src';
import { buildSmallUnet } from './fixtures/small-unet';
import { relativeError, runOn, seededValues } from '../src/testing';

// Bundles tfjs into the worker (a few seconds) and starts it without tsx, as a bundled action does.
jest.setTimeout(120_000);

describe('data-parallel worker as a bundled .js file', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'wms-dp-bundle-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('loads from the folder of the bundle (wasm binaries beside it) and computes the same gradients', async () => {
    const workerFile = join(outDir, DATA_PARALLEL_WORKER_FILE);
    await build({
      entryPoints: [join(__dirname, '../src/data-parallel/data-parallel-worker.ts')],
      outfile: workerFile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'silent',
      external: ['@tensorflow/tfjs-node'],
    });
    const wasmDist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    for (const file of WASM_BINARY_FILES) copyFileSync(join(wasmDist, file), join(outDir, file));

    await runOn('wasm', () => []);
    const model = buildSmallUnet({ size: 16, base: 4, levels: 2, batchNorm: false });
    const batch = {
      x: seededValues(2 * 16 * 16 * 3, 5),
      xShape: [2, 16, 16, 3],
      y: seededValues(2 * 16 * 16, 6).map((v) => (v > 0.5 ? 1 : 0)),
      yShape: [2, 16, 16, 1],
    };
    const optimizer = { name: 'sgd', learningRate: 0.1 } as const;
    const local = await ModelReplica.create({ ...describeModel(model), loss: 'binaryCrossentropy', optimizer });
    const expected = local.computeGradients(batch);
    const logger = createMemoryLogger();
    const trainer = await createDataParallelTrainer({
      model,
      loss: 'binaryCrossentropy',
      optimizer,
      workers: 2,
      workerScript: workerFile,
      logger,
    });
    try {
      const actual = await trainer.computeGradients({ ...batch, x: batch.x.slice(), y: batch.y.slice() });
      expect(relativeError(actual.gradients, expected.gradients)).toBeLessThan(1e-5);
      // Without WMS_TFJS_WASM_DIR the bundled worker found the binaries next to itself.
      expect(trainer.backend.reason).toContain(outDir);
    } finally {
      await trainer.close();
      local.dispose();
      model.dispose();
    }
  });
});
