/**
 * The networks production trains, gradient-checked on wasm (this project's kernels) against cpu,
 * with the training loss the workers load (replica-loss.ts, the in-thread segmentationLoss).
 */
import * as tf from '@tensorflow/tfjs';
import { describeModel, ModelReplica, type LossModuleRef, type TensorBatch } from '@wms/tfjs-runtime';
import { buildUNet, parseTrainConfig } from '../src';
import { replicaLossModule } from '../src/step-runner';
import { relativeError, runOn, seededValues } from '@wms/tfjs-runtime/testing';

const SIZE = 16;
const config = parseTrainConfig({ model: { input_size: SIZE, base_filters: 4, depth: 2 } });
const trainingLoss: LossModuleRef = {
  modulePath: replicaLossModule(),
  exportName: 'replicaSegmentationLoss',
  options: config.training.loss,
};

// cpu gradients of a U-Net take seconds on a busy 2-core machine.
jest.setTimeout(60_000);

function makeBatch(count: number, seed: number): TensorBatch {
  const x = seededValues(count * SIZE * SIZE * 3, seed);
  const y = seededValues(count * SIZE * SIZE, seed + 1).map((v) => (v > 0.6 ? 1 : 0));
  return { x, xShape: [count, SIZE, SIZE, 3], y, yShape: [count, SIZE, SIZE, 1] };
}

async function gradientsOn(backend: 'cpu' | 'wasm', init: ReturnType<typeof describeModel>, batch: TensorBatch) {
  await runOn(backend, () => []);
  const replica = await ModelReplica.create({
    ...init,
    loss: trainingLoss,
    optimizer: { name: 'adam', learningRate: 1e-3 },
  });
  const result = replica.computeGradients(batch);
  replica.dispose();
  return result;
}

describe('the production U-Net trains on wasm', () => {
  let init: ReturnType<typeof describeModel>;

  beforeAll(async () => {
    await runOn('cpu', () => []);
    // As train-model builds it: bilinear up-sampling, batch norm, the configured output bias.
    const model = buildUNet(config.model, { seed: 3 });
    init = describeModel(model);
    model.dispose();
  });

  it('gives the same loss and gradients as the cpu backend', async () => {
    const batch = makeBatch(3, 11);
    const cpu = await gradientsOn('cpu', init, batch);
    const wasm = await gradientsOn('wasm', init, batch);
    expect(wasm.loss).toBeCloseTo(cpu.loss, 4);
    expect(relativeError(wasm.gradients, cpu.gradients)).toBeLessThan(1e-3);
    expect(relativeError(wasm.nonTrainable, cpu.nonTrainable)).toBeLessThan(1e-4);
  });

  it('without batch norm (model.batch_norm: false), also matches cpu', async () => {
    await runOn('cpu', () => []);
    const model = buildUNet({ ...config.model, batch_norm: false }, { seed: 4 });
    const resizeInit = describeModel(model);
    model.dispose();
    const batch = makeBatch(2, 21);
    const cpu = await gradientsOn('cpu', resizeInit, batch);
    const wasm = await gradientsOn('wasm', resizeInit, batch);
    expect(relativeError(wasm.gradients, cpu.gradients)).toBeLessThan(1e-3);
  });

  it('keeps the tensor count constant across training steps', async () => {
    await runOn('wasm', () => []);
    const replica = await ModelReplica.create({
      ...init,
      loss: trainingLoss,
      optimizer: { name: 'adam', learningRate: 1e-2 },
    });
    const counts: number[] = [];
    const buffers: number[] = [];
    const losses: number[] = [];
    const batch = makeBatch(2, 31);
    for (let step = 0; step < 4; step++) {
      const { loss, gradients, nonTrainable } = replica.computeGradients(batch);
      replica.applyGradients(gradients, nonTrainable);
      losses.push(loss);
      counts.push(tf.memory().numTensors);
      buffers.push(tf.memory().numDataBuffers);
    }
    replica.dispose();
    // Step 1 creates the optimizer's moment variables; from then on nothing may accumulate.
    expect(new Set(counts.slice(1)).size).toBe(1);
    // Data buffers too: shared (reference-counted) clones must all be released.
    expect(new Set(buffers.slice(1)).size).toBe(1);
    expect(losses[3]!).toBeLessThan(losses[0]!);
  });
});
