/**
 * The epoch loop: Adam, coupled L2 weight decay, a ReduceLROnPlateau-style schedule and early
 * stopping on validation Dice, a wall-clock deadline, and a restore of the best epoch's weights.
 * Batches are built on the fly from the uint8 cache, augmented with a seed per (epoch, sample).
 */
import * as tf from '@tensorflow/tfjs';
import type { Logger, ProgressFactory } from '@wms/core';
import { formatDuration } from '@wms/core';
import { applyAugmentation, planAugmentation, type Sample } from './augment';
import type { TrainConfig } from './config';
import { fixedPostprocess } from './derived-config';
import { segmentationLoss } from './loss';
import { binarize, DEFAULT_THRESHOLD, diceAndIou, overlapOfMasks } from './metrics';
import { createRandom, deriveSeed, shuffled } from './random';
import { imagesToTensor, masksToTensor, samplesToBatch, type CachedSample } from './samples';
import { createDataParallelRunner, createInProcessRunner, type StepRunner } from './step-runner';

export interface EpochLog {
  epoch: number;
  trainLoss: number;
  valLoss: number;
  /**
   * Mean Dice at the input size after the configured post-processing (cheap); final metrics use
   * the original resolution.
   */
  valDice: number;
  learningRate: number;
  batches: number;
  seconds: number;
}

/**
 * Training samples by index and epoch, before augmentation: a fixed cache, or samples made per
 * epoch (the refine network's jittered crops).
 */
export interface SampleSource {
  count: number;
  get(index: number, epoch: number): Sample;
}

export function fixedSamples(samples: readonly Sample[]): SampleSource {
  return { count: samples.length, get: (index) => samples[index]! };
}

export interface TrainingLoopInput {
  model: tf.LayersModel;
  /**
   * Patch training: the same network built at the photo's input size. After every epoch it gets
   * `model`'s weights and is what validation scores; at the end it holds the best epoch's weights
   * too. Default: `model` itself.
   */
  evalModel?: tf.LayersModel;
  train: SampleSource;
  validation: readonly CachedSample[];
  config: TrainConfig;
  seed: number;
  /**
   * Wall-clock budget in ms, counted from when the step runner is ready (starting worker
   * threads is not training time); no new batch starts after it. A function is read then.
   */
  budgetMs: number | (() => number);
  /** Prefix of progress and log lines ('refine' for the second network). */
  label?: string;
  /** Step in a worker thread even with `training.workers: 1` (frees this thread for another loop). */
  inWorker?: boolean;
  /** Stops the loop before its next batch (stopReason 'aborted'); the best weights are restored. */
  signal?: AbortSignal;
  onEpoch?: (log: EpochLog) => Promise<void> | void;
}

export interface TrainingLoopResult {
  epochs: EpochLog[];
  bestEpoch: number;
  stopReason: 'epochs' | 'early-stopping' | 'time-budget' | 'aborted';
}

async function validate(
  model: tf.LayersModel,
  samples: readonly CachedSample[],
  cfg: TrainConfig,
): Promise<{ loss: number; dice: number }> {
  let lossSum = 0;
  let diceSum = 0;
  const batch = cfg.training.batch_size;
  for (let start = 0; start < samples.length; start += batch) {
    const chunk = samples.slice(start, start + batch);
    const [loss, probabilities] = tf.tidy(() => {
      const x = imagesToTensor(chunk.map((s) => s.image));
      const y = masksToTensor(chunk.map((s) => s.mask));
      const p = model.predict(x) as tf.Tensor4D;
      return [segmentationLoss(p, y, cfg.training.loss).mul(chunk.length), p];
    });
    lossSum += (await loss.data())[0] ?? 0;
    const maps = (await probabilities.data()) as Float32Array;
    tf.dispose([loss, probabilities]);
    chunk.forEach((sample, i) => {
      const { width, height } = sample.mask;
      const plane = width * height;
      const map = { width, height, data: maps.subarray(i * plane, (i + 1) * plane) };
      const predicted = binarize(map, width, height, DEFAULT_THRESHOLD, fixedPostprocess(cfg.postprocess));
      diceSum += diceAndIou(overlapOfMasks(predicted, sample.mask)).dice;
    });
  }
  return { loss: lossSum / samples.length, dice: diceSum / samples.length };
}

export async function runTrainingLoop(
  input: TrainingLoopInput,
  deps: { logger: Logger; progress?: ProgressFactory },
): Promise<TrainingLoopResult> {
  const { model, config } = input;
  const t = config.training;
  const runner =
    t.workers > 1 || input.inWorker
      ? await createDataParallelRunner(model, t, deps.logger)
      : createInProcessRunner(model, t);
  deps.logger.info(`Training${input.label ? ` (${input.label})` : ''}: ${runner.description}`);
  try {
    return await epochLoop(input, runner, deps);
  } finally {
    await runner.close();
  }
}

async function epochLoop(
  input: TrainingLoopInput,
  runner: StepRunner,
  deps: { logger: Logger; progress?: ProgressFactory },
): Promise<TrainingLoopResult> {
  const { model, train, validation, config, seed } = input;
  const evalModel = input.evalModel ?? model;
  const deadline = Date.now() + (typeof input.budgetMs === 'function' ? input.budgetMs() : input.budgetMs);
  const prefix = input.label ? `${input.label} ` : '';
  const t = config.training;
  const epochs: EpochLog[] = [];
  let lr = t.learning_rate;
  let best = { dice: -Infinity, epoch: 0, weights: [] as tf.Tensor[] };
  let plateauScore = -Infinity;
  let sincePlateauBest = 0;
  let stopReason: TrainingLoopResult['stopReason'] = 'epochs';
  let lastBatchMs = 0;

  for (let epoch = 1; epoch <= t.epochs; epoch++) {
    const started = Date.now();
    const order = shuffled(
      Array.from({ length: train.count }, (_, i) => i),
      createRandom(deriveSeed(seed, epoch)),
    );
    const batches = Math.ceil(order.length / t.batch_size);
    const progress = deps.progress?.();
    progress?.start(batches, `${prefix}epoch ${epoch}`);
    let lossSum = 0;
    let done = 0;
    for (let b = 0; b < batches; b++) {
      if (input.signal?.aborted) {
        stopReason = 'aborted';
        break;
      }
      if (Date.now() + lastBatchMs > deadline) {
        stopReason = 'time-budget';
        break;
      }
      const batchStart = Date.now();
      const indices = order.slice(b * t.batch_size, (b + 1) * t.batch_size);
      const augmented = indices.map((i) =>
        applyAugmentation(train.get(i, epoch), planAugmentation(config.augmentation, deriveSeed(seed, epoch, i))),
      );
      lossSum += await runner.step(samplesToBatch(augmented));
      done++;
      lastBatchMs = Date.now() - batchStart;
      progress?.tick(1);
    }
    progress?.stop();
    if (done === 0) break;
    await runner.syncModel();
    if (evalModel !== model) evalModel.setWeights(model.getWeights());
    const val = await validate(evalModel, validation, config);
    const log: EpochLog = {
      epoch,
      trainLoss: lossSum / done,
      valLoss: val.loss,
      valDice: val.dice,
      learningRate: lr,
      batches: done,
      seconds: (Date.now() - started) / 1000,
    };
    epochs.push(log);
    deps.logger.info(
      `${prefix}epoch ${epoch}/${t.epochs}: train loss ${log.trainLoss.toFixed(4)}, val loss ${log.valLoss.toFixed(4)}, ` +
        `val dice ${log.valDice.toFixed(4)}, lr ${lr.toExponential(2)}, ${formatDuration(log.seconds * 1000)}`,
    );
    await input.onEpoch?.(log);

    if (val.dice > best.dice) {
      tf.dispose(best.weights);
      best = { dice: val.dice, epoch, weights: model.getWeights().map((w) => w.clone()) };
    }
    if (val.dice > plateauScore + 1e-4) {
      plateauScore = val.dice;
      sincePlateauBest = 0;
    } else if (++sincePlateauBest > t.scheduler.patience && lr > t.scheduler.min_lr) {
      lr = Math.max(t.scheduler.min_lr, lr * t.scheduler.factor);
      await runner.setLearningRate(lr);
      sincePlateauBest = 0;
      deps.logger.info(
        `validation Dice has not improved for ${t.scheduler.patience + 1} epochs: lr → ${lr.toExponential(2)}`,
      );
    }
    if (stopReason === 'time-budget' || stopReason === 'aborted') break;
    if (epoch - best.epoch >= t.early_stopping_patience) {
      stopReason = 'early-stopping';
      deps.logger.info(`early stopping: no better validation Dice since epoch ${best.epoch}`);
      break;
    }
  }
  if (best.weights.length > 0) {
    model.setWeights(best.weights);
    if (evalModel !== model) evalModel.setWeights(best.weights);
    tf.dispose(best.weights);
  }
  return { epochs, bestEpoch: best.epoch, stopReason };
}
