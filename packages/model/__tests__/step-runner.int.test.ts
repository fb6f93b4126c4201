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
import { relativeError, runOn, seededValues } from '@wms/tfjs-runtime/testing';

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

  it('two worker runners started together each use their own loss weights', async () => {
    // The concurrent refine network trains with its own pos_weight beside the first network. The
    // four models share layer names in this thread, so this also checks that weight decay finds
    // kernels whose variables were renamed (…/kernel_1).
    const weights = [1, 3];
    const trainings = weights.map((pos_weight) => ({
      ...config.training,
      workers: 1,
      loss: { ...config.training.loss, pos_weight },
    }));
    const locals = weights.map(() => buildUNet(config.model, { seed: 9 }));
    const remotes = weights.map(() => buildUNet(config.model, { seed: 9 }));
    const inProcess = trainings.map((t, i) => createInProcessRunner(locals[i]!, t));
    const workers = await Promise.all(
      trainings.map((t, i) => createDataParallelRunner(remotes[i]!, t, createMemoryLogger())),
    );
    try {
      for (let step = 0; step < 2; step++) {
        const batch = () => samplesToBatch([sample(7 * step), sample(7 * step + 2)]);
        for (let i = 0; i < weights.length; i++) {
          await inProcess[i]!.step(batch());
          await workers[i]!.step(batch());
        }
      }
      await Promise.all(workers.map((w) => w.syncModel()));
      const [a3, a1] = locals.map((m) => m.getWeights().map((w) => w.dataSync() as Float32Array));
      const [b3, b1] = remotes.map((m) => m.getWeights().map((w) => w.dataSync() as Float32Array));
      let apart = 0;
      a3!.forEach((x, i) => {
        expect(relativeError(b3![i]!, x)).toBeLessThan(1e-4);
        expect(relativeError(b1![i]!, a1![i]!)).toBeLessThan(1e-4);
        apart = Math.max(apart, relativeError(a1![i]!, x));
      });
      // The two weights lead to different steps, so matching each proves each got its own.
      expect(apart).toBeGreaterThan(1e-3);
    } finally {
      await Promise.all([...inProcess, ...workers].map((r) => r.close()));
      [...locals, ...remotes].forEach((m) => m.dispose());
    }
  });
});
