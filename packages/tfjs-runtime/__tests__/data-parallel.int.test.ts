import { createMemoryLogger, UserError } from '@wms/core';
import { createDataParallelTrainer, describeModel, ModelReplica, type TensorBatch } from '../src';
import { buildSmallUnet } from './fixtures/small-unet';
import { relativeError, runOn, seededValues } from '../src/testing';

// Starts worker threads that load tsx, tfjs and wasm: seconds each on a busy 2-core machine.
jest.setTimeout(120_000);

const SIZE = 16;

function makeBatch(count: number, seed: number): TensorBatch {
  return {
    x: seededValues(count * SIZE * SIZE * 3, seed),
    xShape: [count, SIZE, SIZE, 3],
    y: seededValues(count * SIZE * SIZE, seed + 1).map((v) => (v > 0.5 ? 1 : 0)),
    yShape: [count, SIZE, SIZE, 1],
  };
}

const slice = (batch: TensorBatch, start: number, count: number): TensorBatch => {
  const xPer = batch.x.length / batch.xShape[0]!;
  const yPer = batch.y.length / batch.yShape[0]!;
  return {
    x: batch.x.slice(start * xPer, (start + count) * xPer),
    xShape: [count, ...batch.xShape.slice(1)],
    y: batch.y.slice(start * yPer, (start + count) * yPer),
    yShape: [count, ...batch.yShape.slice(1)],
  };
};

const optimizer = { name: 'adam', learningRate: 1e-2 } as const;

describe('data-parallel trainer (2 worker threads on wasm)', () => {
  beforeAll(async () => {
    await runOn('wasm', () => []);
  });

  it('gives the gradients of one process on the whole batch (no batch norm)', async () => {
    const model = buildSmallUnet({ size: SIZE, base: 4, levels: 2, batchNorm: false });
    const batch = makeBatch(5, 3); // odd: shards of 3 and 2, weighted by size
    // A per-pixel mean loss decomposes exactly over shards (a batch-wide Dice term would not).
    const bceTrainer = await createDataParallelTrainer({
      model,
      loss: 'binaryCrossentropy',
      optimizer,
      workers: 2,
      logger: createMemoryLogger(),
    });
    expect(bceTrainer.workerCount).toBe(2);
    expect(bceTrainer.backend.name).toBe('wasm');
    const bceLocal = await ModelReplica.create({ ...describeModel(model), loss: 'binaryCrossentropy', optimizer });
    try {
      const reference = bceLocal.computeGradients(batch);
      const parallel = await bceTrainer.computeGradients(makeBatch(5, 3));
      expect(parallel.loss).toBeCloseTo(reference.loss, 5);
      expect(relativeError(parallel.gradients, reference.gradients)).toBeLessThan(1e-5);

      // One step on both sides keeps the replicas equal to the single-process model.
      await bceTrainer.trainStep(makeBatch(5, 3));
      bceLocal.applyGradients(parallel.gradients, new Float32Array(0));
      const workerWeights = await bceTrainer.getWeights();
      const localWeights = bceLocal.getWeights();
      workerWeights.forEach((w, i) => expect(relativeError(w, localWeights[i]!)).toBeLessThan(1e-5));
    } finally {
      await bceTrainer.close();
      bceLocal.dispose();
      model.dispose();
    }
  });

  it('with batch norm, equals the size-weighted mean of per-shard gradients (ghost batch norm)', async () => {
    const model = buildSmallUnet({ size: SIZE, base: 4, levels: 2 });
    const batch = makeBatch(4, 9);
    const local = await ModelReplica.create({ ...describeModel(model), loss: 'binaryCrossentropy', optimizer });
    const first = local.computeGradients(slice(batch, 0, 2));
    const local2 = await ModelReplica.create({ ...describeModel(model), loss: 'binaryCrossentropy', optimizer });
    const second = local2.computeGradients(slice(batch, 2, 2));
    const expected = first.gradients.map((g, i) => (g + second.gradients[i]!) / 2);
    const trainer = await createDataParallelTrainer({
      model,
      loss: 'binaryCrossentropy',
      optimizer,
      logger: createMemoryLogger(),
    });
    try {
      const actual = await trainer.computeGradients(makeBatch(4, 9));
      expect(relativeError(actual.gradients, expected)).toBeLessThan(1e-5);

      // Training lowers the loss and copies the weights back into the main-thread model.
      const losses: number[] = [];
      for (let step = 0; step < 4; step++) losses.push((await trainer.trainStep(makeBatch(4, 9))).loss);
      expect(losses[3]!).toBeLessThan(losses[0]!);
      await trainer.copyWeightsTo(model);
      const trained = await trainer.getWeights();
      model.getWeights().forEach((w, i) => expect(relativeError(Float32Array.from(w.dataSync()), trained[i]!)).toBe(0));
    } finally {
      await trainer.close();
      local.dispose();
      local2.dispose();
      model.dispose();
    }
  });

  it('rejects a batch whose arrays do not match their shapes, naming the field', async () => {
    const model = buildSmallUnet({ size: SIZE, base: 2, levels: 1, batchNorm: false });
    const trainer = await createDataParallelTrainer({
      model,
      loss: 'binaryCrossentropy',
      optimizer,
      workers: 1,
      logger: createMemoryLogger(),
    });
    try {
      const bad = { ...makeBatch(2, 1), yShape: [3, SIZE, SIZE, 1] };
      await expect(trainer.trainStep(bad)).rejects.toThrow(UserError);
      await expect(trainer.trainStep(bad)).rejects.toThrow(
        /Training batch y has 512 values but yShape \[3,16,16,1\] needs 768/,
      );
    } finally {
      await trainer.close();
      model.dispose();
    }
    await expect(
      createDataParallelTrainer({
        model: buildSmallUnet({ size: SIZE, base: 2, levels: 1 }),
        loss: 'binaryCrossentropy',
        optimizer,
        workers: 0,
        logger: createMemoryLogger(),
      }),
    ).rejects.toThrow(/workers must be an integer from 1 to 64, got 0/);
  });
});
