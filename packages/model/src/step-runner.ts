/**
 * One optimizer step per batch, either in this thread (Adam + coupled L2 via `optimizer.minimize`)
 * or spread over @wms/tfjs-runtime's data-parallel workers (each computes gradients on half the
 * batch; the averaged gradients step identical replicas). The epoch loop does not know which.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Logger } from '@wms/core';
import { createDataParallelTrainer, isKernelWeight, type TensorBatch } from '@wms/tfjs-runtime';
import type { TrainConfig } from './config';
import { segmentationLoss, weightDecayPenalty } from './loss';

export interface StepRunner {
  readonly description: string;
  step(batch: TensorBatch): Promise<number>;
  setLearningRate(lr: number): Promise<void>;
  /** Makes `model` (the main thread's copy) hold the trained weights, for validation and saving. */
  syncModel(): Promise<void>;
  close(): Promise<void>;
}

export function createInProcessRunner(model: tf.LayersModel, training: TrainConfig['training']): StepRunner {
  const optimizer = tf.train.adam(training.learning_rate);
  const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernels = model.trainableWeights.filter(isKernelWeight).map((w) => w.read() as tf.Variable);
  return {
    description: 'single process',
    async step(batch) {
      const x = tf.tensor4d(batch.x, batch.xShape as [number, number, number, number]);
      const y = tf.tensor4d(batch.y, batch.yShape as [number, number, number, number]);
      const cost = optimizer.minimize(
        () => {
          const p = model.apply(x, { training: true }) as tf.Tensor4D;
          const penalty = weightDecayPenalty(kernels, training.weight_decay);
          return segmentationLoss(p, y, training.loss).add(penalty) as tf.Scalar;
        },
        true,
        trainable,
      );
      const loss = (await cost!.data())[0] ?? Number.NaN;
      tf.dispose([x, y, cost!]);
      return loss;
    },
    async setLearningRate(lr) {
      // tfjs keeps the rate in a protected field that every step reads.
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
    },
    syncModel: async () => undefined,
    close: async () => optimizer.dispose(),
  };
}

/**
 * The loss module the workers load: the .ts source under tsx/jest, a .js beside a bundle. It is
 * the in-thread runner's `segmentationLoss`, so there is one training loss; a bundle without it is
 * broken, not a reason to train with another loss.
 */
export function replicaLossModule(dir = __dirname): string {
  const names = ['replica-loss.ts', 'replica-loss.js'];
  const found = names.map((name) => join(dir, name)).find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      `the training loss module for worker threads (${names.join(' or ')}) is missing from ${dir}; ` +
        'a bundle must emit replica-loss.js beside its index.js (scripts/lib/bundle-action.ts)',
    );
  }
  return found;
}

/**
 * Steps in `training.workers` worker threads (data-parallel shards), or with `workers: 1` in one
 * worker thread holding the whole batch, which frees this thread for another network.
 */
export async function createDataParallelRunner(
  model: tf.LayersModel,
  training: TrainConfig['training'],
  logger: Logger,
): Promise<StepRunner> {
  const trainer = await createDataParallelTrainer({
    model,
    loss: { modulePath: replicaLossModule(), exportName: 'replicaSegmentationLoss', options: training.loss },
    optimizer: { name: 'adam', learningRate: training.learning_rate, weightDecay: training.weight_decay },
    workers: training.workers,
    logger,
  });
  return {
    description:
      trainer.workerCount === 1
        ? `1 worker thread on ${trainer.backend.name}`
        : `${trainer.workerCount} data-parallel workers on ${trainer.backend.name}`,
    step: async (batch) => (await trainer.trainStep(batch)).loss,
    setLearningRate: (lr) => trainer.setLearningRate(lr),
    syncModel: () => trainer.copyWeightsTo(model),
    close: () => trainer.close(),
  };
}
