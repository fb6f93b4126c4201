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
import { INFERENCE_JSON, inferenceSpecFromConfig } from './inference-spec';
import { evaluate } from './evaluate';
import { fingerprintPairs, type Pair } from '@wms/dataset';
import { saveModel } from './model-io';
import { combineResults, currentGitSha, flattenConfig, METRICS_JSON, type RunRecord } from './run-record';
import { loadSamples, type CachedSample } from './samples';
import { recordSplit, splitPairs, type RecordedSplit } from './split';
import { fixedSamples, runTrainingLoop, type EpochLog, type SampleSource, type TrainingLoopResult } from './train-loop';
import { centredCrops, jitteredCrops, loadRefineSources, meanForeground } from './refine-data';
import { deriveSeed } from './random';
import type { Segmenter } from './segmenter';
import type { RefineChoice } from './run-record';
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
  let refineModel: tf.LayersModel | undefined;
  const trackEpoch = async (log: EpochLog, prefix: string): Promise<void> => {
    if (!tracker) return;
    await trackQuietly(logger, 'log metrics', () =>
      tracker.logMetrics(
        {
          [`${prefix}train_loss`]: log.trainLoss,
          [`${prefix}val_loss`]: log.valLoss,
          [`${prefix}val_dice`]: log.valDice,
          [`${prefix}learning_rate`]: log.learningRate,
        },
        log.epoch,
      ),
    );
  };
  try {
    const decodeStart = Date.now();
    const size = config.model.input_size;
    const refineCfg = config.refine;
    const train = await loadSamples(split.train, size, progress?.());
    const validation = split.validation.length > 0 ? await loadSamples(monitor, size, progress?.()) : train;
    let refineData: { train: SampleSource; validation: CachedSample[]; seed: number; foreground: number } | undefined;
    if (refineCfg.enabled) {
      const refineSeed = deriveSeed(seed, 2);
      const sources = await loadRefineSources(split.train, refineCfg.source_size, progress?.());
      const monitorSources =
        split.validation.length > 0 ? await loadRefineSources(monitor, refineCfg.source_size, progress?.()) : sources;
      refineData = {
        train: jitteredCrops(sources, refineCfg, refineSeed),
        validation: centredCrops(monitorSources, refineCfg),
        seed: refineSeed,
        foreground: meanForeground(centredCrops(sources, refineCfg)),
      };
    }
    const decodeSec = (Date.now() - decodeStart) / 1000;

    // Concurrent: each network steps in its own worker thread (one core each) and both get the
    // whole budget. Sequential: the first network gets (1 - time_share) of it, the refine the rest.
    const concurrent = refineData !== undefined && refineCfg.concurrent;
    const firstShare = refineData && !concurrent ? 1 - refineCfg.time_share : 1;
    const trainStart = Date.now();
    const abort = new AbortController();
    model = buildUNet(config.model, { seed });
    if (refineData) {
      // Crops are ~30% foreground, not the photos' ~2%: start the output bias at the crops' share.
      const prior = Math.min(0.9, Math.max(0.01, refineData.foreground));
      refineModel = buildUNet(
        { ...config.model, input_size: refineCfg.input_size, foreground_prior: prior },
        { seed: refineData.seed },
      );
      logger.info(
        `refine network: ${refineCfg.input_size}px crops around the mask (margin ${refineCfg.margin}, ` +
          `jitter ${refineCfg.jitter}) of photos decoded at ${refineCfg.source_size}px; ` +
          (concurrent ? 'trains alongside the first network' : 'trains after the first network'),
      );
    }
    const firstModel = model;
    const runFirst = (): Promise<TrainingLoopResult> =>
      runTrainingLoop(
        {
          model: firstModel,
          train: fixedSamples(train),
          validation,
          config,
          seed,
          budgetMs: budgetSec * firstShare * 1000,
          inWorker: concurrent,
          signal: abort.signal,
          onEpoch: (log) => trackEpoch(log, ''),
        },
        { logger, progress },
      );
    const runRefine = async (): Promise<TrainingLoopResult | undefined> => {
      if (!refineData || !refineModel) return undefined;
      return runTrainingLoop(
        {
          model: refineModel,
          train: refineData.train,
          validation: refineData.validation,
          config: refineTrainingConfig(config),
          seed: refineData.seed,
          // Sequential: whatever the first network left of the whole budget.
          budgetMs: concurrent ? budgetSec * 1000 : () => Math.max(0, trainStart + budgetSec * 1000 - Date.now()),
          label: 'refine',
          inWorker: concurrent,
          signal: abort.signal,
          onEpoch: (log) => trackEpoch(log, 'refine_'),
        },
        // One progress bar at a time: concurrent epochs report by their log lines.
        { logger, progress: concurrent ? undefined : progress },
      );
    };
    let loop: TrainingLoopResult;
    let refineLoop: TrainingLoopResult | undefined;
    if (concurrent) {
      const stopOther = (error: unknown): never => {
        abort.abort();
        throw error;
      };
      const settled = await Promise.allSettled([runFirst().catch(stopOther), runRefine().catch(stopOther)]);
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      loop = (settled[0] as PromiseFulfilledResult<TrainingLoopResult>).value;
      refineLoop = (settled[1] as PromiseFulfilledResult<TrainingLoopResult | undefined>).value;
    } else {
      loop = await runFirst();
      refineLoop = await runRefine();
    }
    const trainSec = (Date.now() - trainStart) / 1000;

    const evalStart = Date.now();
    // How many refine passes the model applies, 0 (the first network alone) to max_passes, is
    // chosen by validation Dice at the photos' resolution (a refine network that had too little
    // time can ruin a good first stage); ties go to fewer passes. Validation only: the test pairs
    // play no part in choosing the model.
    let refineChoice: RefineChoice | undefined;
    // When `monitor` is the validation split, the chosen variant's result is the validation result.
    let chosenValidation: EvaluationResult | undefined;
    let passes = 0;
    if (refineModel && refineLoop) {
      const byPasses: EvaluationResult[] = [];
      for (let p = 0; p <= refineCfg.max_passes; p++) {
        byPasses.push(
          await evaluate({ model, spec: inferenceSpecFromConfig(config, p), refine: refineModel }, monitor),
        );
        if (byPasses[p]!.mean.dice > byPasses[passes]!.mean.dice) passes = p;
      }
      const dice = byPasses.map((r) => r.mean.dice);
      const withRefine = Math.max(...dice.slice(1));
      refineChoice = { used: passes > 0, passes, validationDice: { withRefine, without: dice[0]!, byPasses: dice } };
      if (monitor === split.validation) chosenValidation = byPasses[passes];
      const verdict =
        passes > 0 ? `kept, ${passes} pass${passes > 1 ? 'es' : ''}` : 'dropped: the model is saved without it';
      logger.info(
        `refine network ${verdict} (validation Dice ${dice.map((d, p) => `${p}: ${d.toFixed(4)}`).join(', ')} ` +
          `by number of refine passes)`,
      );
      if (passes === 0) {
        refineModel.dispose();
        refineModel = undefined;
      }
    }
    const inference = inferenceSpecFromConfig(config, passes);
    const segmenter: Segmenter = { model, spec: inference, refine: refineModel };
    const validationResult =
      chosenValidation ?? (await evaluate(segmenter, split.validation, { progress: progress?.() }));
    const testResult = await evaluate(segmenter, split.test, { progress: progress?.() });
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
      ...(refineLoop
        ? {
            refine: {
              epochs: refineLoop.epochs,
              bestEpoch: refineLoop.bestEpoch,
              stopReason: refineLoop.stopReason,
              ...refineChoice!,
            },
          }
        : {}),
      timings: { decodeSec, trainSec, evaluateSec, totalSec: (Date.now() - startedAt) / 1000 },
    };
    const modelDir = join(opts.outputDir, 'model');
    await saveModel(
      model,
      modelDir,
      {
        [METRICS_JSON]: `${JSON.stringify(record, null, 2)}\n`,
        [INFERENCE_JSON]: `${JSON.stringify(inference, null, 2)}\n`,
      },
      refineModel && inference.refine ? { [inference.refine.dir]: refineModel } : {},
    );
    logger.info(
      `held-out (${heldOut.count} pairs) Dice ${heldOut.mean.dice.toFixed(4)}, IoU ${heldOut.mean.iou.toFixed(4)}; ` +
        `best epoch ${loop.bestEpoch}, stopped: ${loop.stopReason}` +
        (refineLoop ? `; refine best epoch ${refineLoop.bestEpoch}, stopped: ${refineLoop.stopReason}` : '') +
        `; saved ${modelDir}`,
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
          ...(refineChoice ? { refine_passes: refineChoice.passes } : {}),
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
    refineModel?.dispose();
  }
}

/** The config the refine network trains with: the first network's, but its own loss weight. */
function refineTrainingConfig(config: TrainConfig): TrainConfig {
  const { training } = config;
  return { ...config, training: { ...training, loss: { ...training.loss, pos_weight: config.refine.pos_weight } } };
}
