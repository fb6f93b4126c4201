/**
 * The two ways one optimizer step runs must be the same step: in this thread
 * (`optimizer.minimize` on loss + L2 penalty) and in one worker thread (replica gradients of the
 * loss, then coupled L2 added to kernel gradients before Adam). The concurrent refine training
 * relies on this: its networks train in worker threads.
 */
import { createMemoryLogger } from '@wms/core';
import { buildUNet, parseTrainConfig } from '../src';
import { samplesToBatch } from '../src/samples';
import { createDataParallelRunner, createInProcessRunner } from '../src/step-runner';
import { relativeError, runOn, seededValues } from './backend/backend-test-helpers';

jest.setTimeout(120_000);

const SIZE = 16;
const config = parseTrainConfig({
  model: { input_size: SIZE, base_filters: 4, depth: 2 },
  training: { learning_rate: 0.01, weight_decay: 0.05 },
});

function sample(seed: number): Parameters<typeof samplesToBatch>[0][number] {
  const image = Uint8Array.from(seededValues(SIZE * SIZE * 3, seed), (v) => Math.floor(v * 255));
  const mask = Uint8Array.from(seededValues(SIZE * SIZE, seed + 1), (v) => (v > 0.7 ? 1 : 0));
  return { image: { width: SIZE, height: SIZE, data: image }, mask: { width: SIZE, height: SIZE, data: mask } };
}

describe('step runners', () => {
  beforeAll(async () => {
    await runOn('wasm', () => []);
  });

  it('a step in one worker thread equals a step in this thread, weight decay included', async () => {
    const local = buildUNet(config.model, { seed: 5 });
    const remote = buildUNet(config.model, { seed: 5 });
    const inProcess = createInProcessRunner(local, config.training);
    const worker = await createDataParallelRunner(remote, { ...config.training, workers: 1 }, createMemoryLogger());
    try {
      expect(worker.description).toBe('1 worker thread on wasm');
      for (let step = 0; step < 3; step++) {
        const batch = () => samplesToBatch([sample(10 * step), sample(10 * step + 3), sample(10 * step + 6)]);
        await inProcess.step(batch());
        await worker.step(batch());
      }
      await worker.syncModel();
      const a = local.getWeights();
      const b = remote.getWeights();
      let moved = 0;
      const initial = buildUNet(config.model, { seed: 5 });
      a.forEach((w, i) => {
        const x = w.dataSync() as Float32Array;
        expect(relativeError(b[i]!.dataSync() as Float32Array, x)).toBeLessThan(1e-4);
        moved = Math.max(moved, relativeError(initial.getWeights()[i]!.dataSync() as Float32Array, x));
      });
      // The steps changed the weights, so the comparison above is not of two untouched models.
      expect(moved).toBeGreaterThan(1e-3);
      initial.dispose();

      // Without weight decay in the worker the same steps land elsewhere: the decay is applied.
      const noDecay = buildUNet(config.model, { seed: 5 });
      const plain = await createDataParallelRunner(
        noDecay,
        { ...config.training, workers: 1, weight_decay: 0 },
        createMemoryLogger(),
      );
      try {
        for (let step = 0; step < 3; step++) {
          await plain.step(samplesToBatch([sample(10 * step), sample(10 * step + 3), sample(10 * step + 6)]));
        }
        await plain.syncModel();
        const kernelIndex = local.trainableWeights.findIndex((w) => w.name.endsWith('kernel'));
        const withDecay = a[kernelIndex]!.dataSync() as Float32Array;
        expect(relativeError(noDecay.getWeights()[kernelIndex]!.dataSync() as Float32Array, withDecay)).toBeGreaterThan(
          1e-4,
        );
      } finally {
        await plain.close();
        noDecay.dispose();
      }
    } finally {
      await inProcess.close();
      await worker.close();
      local.dispose();
      remote.dispose();
    }
  });
});
