/**
 * The train stage as a library function: split, decode, train, evaluate on held-out pairs at
 * original resolution, save model + metrics.json atomically, and log everything to a RunTracker.
 * `wms train` and actions/train both call this.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { EvaluationResult, Logger, ProgressFactory, RunTracker } from '@wms/core';
import { UserError } from '@wms/core';
import type { TrainConfig } from './config';
import { evaluate } from './evaluate';
import { fingerprintPairs, type Pair } from '@wms/dataset';
import { saveModel } from './model-io';
import { combineResults, currentGitSha, flattenConfig, METRICS_JSON, type RunRecord } from './run-record';
import { loadSamples } from './samples';
import { recordSplit, splitPairs, type RecordedSplit } from './split';
import { runTrainingLoop, type EpochLog } from './train-loop';
import { buildUNet } from './unet';
import { activateBackend, type ActiveBackend, type BackendPreference } from './use-backend';

export interface TrainModelOptions {
  pairs: Pair[];
  config: TrainConfig;
  /** The model is saved to `<outputDir>/model` (model.json, weights.bin, metrics.json). */
  outputDir: string;
  backend?: BackendPreference;
  /** Overrides `training.time_budget_sec`. */
  timeBudgetSec?: number;
  tracker?: RunTracker;
  /** Overrides `training.seed`. */
  seed?: number;
}

export interface TrainResult {
  modelDir: string;
  metrics: { validation: EvaluationResult; test: EvaluationResult; heldOut: EvaluationResult };
  backend: ActiveBackend;
  epochs: EpochLog[];
  runId?: string;
  bestEpoch: number;
  stopReason: string;
  split: RecordedSplit;
  record: RunRecord;
}

export interface TrainDeps {
  logger: Logger;
  progress?: ProgressFactory;
}

async function trackQuietly(logger: Logger, what: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    // Tracking is a side channel: a flaky MLflow must not throw away a finished training run.
    logger.warning(`run tracker: could not ${what}: ${(error as Error).message}`);
  }
}

export async function trainModel(opts: TrainModelOptions, deps: TrainDeps): Promise<TrainResult> {
  const { logger, progress } = deps;
  const startedAt = Date.now();
  const seed = opts.seed ?? opts.config.training.seed;
  const budgetSec = opts.timeBudgetSec ?? opts.config.training.time_budget_sec;
  const config: TrainConfig = {
    ...opts.config,
    training: { ...opts.config.training, seed, time_budget_sec: budgetSec },
  };
  const split = splitPairs(opts.pairs, config);
  if (split.train.length === 0) {
    throw new UserError(`No training pairs: ${opts.pairs.length} pairs, all assigned to validation/test.`, {
      hint: 'Add more image/mask pairs or raise data.train_split.',
    });
  }
  const monitor = split.validation.length > 0 ? split.validation : split.train;
  if (split.validation.length === 0) {
    logger.warning('The validation split is empty; early stopping watches the training pairs instead.');
  }
  const backend = await activateBackend(opts.backend ?? 'auto', logger);
  const tracker = opts.tracker;
  const recorded = recordSplit(split, config.data);
  const datasetFingerprint = await fingerprintPairs([...opts.pairs]);
  const gitSha = currentGitSha();
  logger.info(
    `split: ${split.train.length} train, ${split.validation.length} validation, ${split.test.length} test; ` +
      `input ${config.model.input_size}px, seed ${seed}, budget ${budgetSec} s`,
  );
  if (tracker) {
    await trackQuietly(logger, 'log params', () =>
      tracker.logParams({ ...flattenConfig(config), backend: backend.name, pairs: opts.pairs.length }),
    );
    await trackQuietly(logger, 'set tags', () =>
      tracker.setTags({ 'wms.dataset_fingerprint': datasetFingerprint, 'wms.git_sha': gitSha, 'wms.stage': 'train' }),
    );
  }

  let model: tf.LayersModel | undefined;
  try {
    const decodeStart = Date.now();
    const size = config.model.input_size;
    const train = await loadSamples(split.train, size, progress?.());
    const validation = split.validation.length > 0 ? await loadSamples(monitor, size, progress?.()) : train;
    const decodeSec = (Date.now() - decodeStart) / 1000;

    const trainStart = Date.now();
    model = buildUNet(config.model, { seed });
    const loop = await runTrainingLoop(
      {
        model,
        train,
        validation,
        config,
        seed,
        deadline: trainStart + budgetSec * 1000,
        onEpoch: async (log) => {
          if (!tracker) return;
          await trackQuietly(logger, 'log metrics', () =>
            tracker.logMetrics(
              {
                train_loss: log.trainLoss,
                val_loss: log.valLoss,
                val_dice: log.valDice,
                learning_rate: log.learningRate,
              },
              log.epoch,
            ),
          );
        },
      },
      { logger, progress },
    );
    const trainSec = (Date.now() - trainStart) / 1000;

    const evalStart = Date.now();
    const validationResult = await evaluate(model, split.validation, { progress: progress?.() });
    const testResult = await evaluate(model, split.test, { progress: progress?.() });
    const heldOut = combineResults(validationResult, testResult);
    const evaluateSec = (Date.now() - evalStart) / 1000;

    const metrics = { validation: validationResult, test: testResult, heldOut };
    const record: RunRecord = {
      schemaVersion: 1,
      runId: tracker?.runId ?? null,
      createdAt: new Date().toISOString(),
      metrics,
      split: recorded,
      config,
      datasetFingerprint,
      gitSha,
      backend,
      seed,
      epochs: loop.epochs,
      bestEpoch: loop.bestEpoch,
      stopReason: loop.stopReason,
      timings: { decodeSec, trainSec, evaluateSec, totalSec: (Date.now() - startedAt) / 1000 },
    };
    const modelDir = join(opts.outputDir, 'model');
    await saveModel(model, modelDir, { [METRICS_JSON]: `${JSON.stringify(record, null, 2)}\n` });
    logger.info(
      `held-out (${heldOut.count} pairs) Dice ${heldOut.mean.dice.toFixed(4)}, IoU ${heldOut.mean.iou.toFixed(4)}; ` +
        `best epoch ${loop.bestEpoch}, stopped: ${loop.stopReason}; saved ${modelDir}`,
    );
    if (tracker) {
      await trackQuietly(logger, 'log final metrics', async () => {
        await tracker.logMetrics({
          val_dice_final: validationResult.mean.dice,
          val_iou_final: validationResult.mean.iou,
          test_dice: testResult.mean.dice,
          test_iou: testResult.mean.iou,
          heldout_dice: heldOut.mean.dice,
          heldout_iou: heldOut.mean.iou,
        });
        await tracker.logArtifacts(modelDir, 'model');
        await tracker.end('FINISHED');
      });
    }
    return {
      modelDir,
      metrics,
      backend,
      epochs: loop.epochs,
      runId: tracker?.runId,
      bestEpoch: loop.bestEpoch,
      stopReason: loop.stopReason,
      split: recorded,
      record,
    };
  } catch (error) {
    if (tracker) await trackQuietly(logger, 'end the run', () => tracker.end('FAILED'));
    throw error;
  } finally {
    model?.dispose();
  }
}
