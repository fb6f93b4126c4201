/**
 * The train stage as a library function, read top to bottom in `trainModel`: split, pick the
 * backend, start the tracked run, decode, train the network(s), choose what the model applies and
 * score it on held-out pairs at original resolution, save model + metrics.json atomically.
 * `wms train` and actions/train both call this. The optional refine network's steps live in
 * refine/refine-network.ts.
 */
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { EvaluationResult, Logger, ProgressFactory, RunTracker } from '@wms/core';
import { UserError } from '@wms/core';
import { fingerprintPairs, type Pair } from '@wms/dataset';
import type { TrainConfig } from './config';
import { evaluate } from './evaluate';
import { INFERENCE_JSON, type InferenceSpec } from './inference-spec';
import { saveModel } from './model-io';
import { chooseInference, type InferenceChoice } from './choose-inference';
import { resolveDerivedConfig } from './derived-config';
import { buildRefineNetwork, loadRefineData, refineTrainingConfig, type RefineData } from './refine/refine-network';
import {
  combineResults,
  currentGitSha,
  flattenConfig,
  METRICS_JSON,
  type RefineChoice,
  type RunRecord,
} from './run-record';
import { createRunTracking, type RunTracking } from './run-tracking';
import { loadSamples, type CachedSample } from './samples';
import type { Segmenter } from './segmenter';
import { recordSplit, splitPairs, type DataSplit, type RecordedSplit } from './split';
import { patchSamples, patchTrainingSize } from './patch-samples';
import { fixedSamples, runTrainingLoop, type EpochLog, type SampleSource, type TrainingLoopResult } from './train-loop';
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
  /**
   * A precomputed split of `pairs` (cross-validation's fold); default: `splitPairs` by the
   * config's fractions.
   */
  split?: DataSplit;
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

export async function trainModel(opts: TrainModelOptions, deps: TrainDeps): Promise<TrainResult> {
  const startedAt = Date.now();
  const configured = runConfig(opts);
  const split = splitForTraining(opts.pairs, configured, deps.logger, opts.split);
  const backend = await activateBackend(opts.backend ?? 'auto', deps.logger);
  const run = await startRun(opts, configured, split, backend, deps.logger);
  const networks: Networks = {};
  try {
    const data = await decodeSplit(split, configured, deps.progress);
    const config = deriveFromData(configured, data, deps.logger);
    const trained = await trainNetworks(networks, config, data, run.tracking, deps);
    const evaluation = await chooseAndEvaluate(networks, config, split, data.monitor, deps);
    const record = runRecordOf(run, config, backend, trained, evaluation, {
      decodeSec: data.decodeSec,
      trainSec: trained.trainSec,
      evaluateSec: evaluation.evaluateSec,
      totalSec: (Date.now() - startedAt) / 1000,
    });
    const modelDir = await saveTrained(opts.outputDir, networks, evaluation.inference, record);
    logOutcome(deps.logger, evaluation.metrics.heldOut, trained, modelDir);
    await run.tracking.finish(evaluation.metrics, evaluation.refineChoice, modelDir);
    return {
      modelDir,
      metrics: evaluation.metrics,
      backend,
      epochs: trained.loop.epochs,
      runId: run.tracker?.runId,
      bestEpoch: trained.loop.bestEpoch,
      stopReason: trained.loop.stopReason,
      split: run.recorded,
      record,
    };
  } catch (error) {
    await run.tracking.fail();
    throw error;
  } finally {
    networks.model?.dispose();
    networks.refine?.dispose();
  }
}

/** The networks of a run, disposed when it ends (the refine one earlier if the model drops it). */
interface Networks {
  model?: tf.LayersModel;
  refine?: tf.LayersModel;
}

/** The options' seed and time budget written into the config, so metrics.json records what ran. */
function runConfig(opts: TrainModelOptions): TrainConfig {
  const seed = opts.seed ?? opts.config.training.seed;
  const budgetSec = opts.timeBudgetSec ?? opts.config.training.time_budget_sec;
  return { ...opts.config, training: { ...opts.config.training, seed, time_budget_sec: budgetSec } };
}

function splitForTraining(pairs: readonly Pair[], config: TrainConfig, logger: Logger, given?: DataSplit): DataSplit {
  const split = given ?? splitPairs(pairs, config);
  if (split.train.length === 0) {
    throw new UserError(`No training pairs: ${pairs.length} pairs, all assigned to validation/test.`, {
      hint: 'Add more image/mask pairs or raise data.train_split.',
    });
  }
  if (split.validation.length === 0) {
    logger.warning('The validation split is empty; early stopping watches the training pairs instead.');
  }
  logger.info(
    `split: ${split.train.length} train, ${split.validation.length} validation, ${split.test.length} test; ` +
      `input ${config.model.input_size}px, seed ${config.training.seed}, budget ${config.training.time_budget_sec} s`,
  );
  return split;
}

interface StartedRun {
  tracking: RunTracking;
  tracker?: RunTracker;
  recorded: RecordedSplit;
  datasetFingerprint: string;
  gitSha: string;
}

async function startRun(
  opts: TrainModelOptions,
  config: TrainConfig,
  split: DataSplit,
  backend: ActiveBackend,
  logger: Logger,
): Promise<StartedRun> {
  const recorded = recordSplit(split, config.data);
  const datasetFingerprint = await fingerprintPairs([...opts.pairs]);
  const gitSha = currentGitSha();
  const tracking = createRunTracking(opts.tracker, logger);
  await tracking.start(
    { ...flattenConfig(config), backend: backend.name, pairs: opts.pairs.length },
    { 'wms.dataset_fingerprint': datasetFingerprint, 'wms.git_sha': gitSha, 'wms.stage': 'train' },
  );
  return { tracking, tracker: opts.tracker, recorded, datasetFingerprint, gitSha };
}

interface DecodedSplit {
  train: CachedSample[];
  /** What early stopping (and the refine choice) watch: validation, else the training pairs. */
  monitor: readonly Pair[];
  validation: CachedSample[];
  refine?: RefineData;
  decodeSec: number;
}

async function decodeSplit(split: DataSplit, config: TrainConfig, progress?: ProgressFactory): Promise<DecodedSplit> {
  const started = Date.now();
  const size = config.model.input_size;
  const hasValidation = split.validation.length > 0;
  const monitor = hasValidation ? split.validation : split.train;
  const train = await loadSamples(split.train, size, progress?.());
  const validation = hasValidation ? await loadSamples(monitor, size, progress?.()) : train;
  const refine = config.refine.enabled
    ? await loadRefineData(split.train, hasValidation ? monitor : undefined, config, progress)
    : undefined;
  return { train, monitor, validation, refine, decodeSec: (Date.now() - started) / 1000 };
}

/** The config with `auto` priors and loss weights derived from the training masks (derived-config.ts). */
function deriveFromData(config: TrainConfig, data: DecodedSplit, logger: Logger): TrainConfig {
  const { config: resolved, derived } = resolveDerivedConfig(config, data.train);
  const parts = [
    derived.foreground_prior !== undefined ? `foreground_prior ${derived.foreground_prior}` : undefined,
    derived.pos_weight !== undefined ? `pos_weight ${derived.pos_weight}` : undefined,
    derived.empty_fallback !== undefined
      ? `empty_fallback ${derived.empty_fallback} (${derived.empty_fallback ? 'every' : 'not every'} mask has foreground)`
      : undefined,
  ].filter((p) => p !== undefined);
  if (parts.length > 0) {
    logger.info(
      `derived from the training masks (mean foreground ${(100 * derived.foregroundShare).toFixed(1)}%): ${parts.join(', ')}`,
    );
  }
  return resolved;
}

interface TrainedNetworks {
  loop: TrainingLoopResult;
  refineLoop?: TrainingLoopResult;
  trainSec: number;
}

/**
 * Builds and trains the U-Net, and the refine network when enabled. Concurrent: each network
 * steps in its own worker thread (one core each) and both get the whole budget. Sequential: the
 * first network gets (1 - time_share) of it, the refine network what is left.
 */
async function trainNetworks(
  networks: Networks,
  config: TrainConfig,
  data: DecodedSplit,
  tracking: RunTracking,
  deps: TrainDeps,
): Promise<TrainedNetworks> {
  const { logger, progress } = deps;
  const { seed, time_budget_sec: budgetSec } = config.training;
  const refineData = data.refine;
  const concurrent = refineData !== undefined && config.refine.concurrent;
  const firstShare = refineData && !concurrent ? 1 - config.refine.time_share : 1;
  const started = Date.now();
  const abort = new AbortController();
  const model = buildUNet(config.model, { seed });
  networks.model = model;
  if (refineData) networks.refine = buildRefineNetwork(config, refineData, concurrent, logger);
  const refineModel = networks.refine;
  const patches = firstNetworkPatches(config, data.train, logger);
  // Patch training: the same seed gives the same initial weights at the patch size.
  const trainNet = patches ? buildUNet({ ...config.model, input_size: patches.size }, { seed }) : model;

  const runFirst = (): Promise<TrainingLoopResult> =>
    runTrainingLoop(
      {
        model: trainNet,
        evalModel: model,
        train: patches?.source ?? fixedSamples(data.train),
        validation: data.validation,
        config,
        seed,
        budgetMs: budgetSec * firstShare * 1000,
        inWorker: concurrent,
        signal: abort.signal,
        onEpoch: (log) => tracking.epoch(log, ''),
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
        budgetMs: concurrent ? budgetSec * 1000 : () => Math.max(0, started + budgetSec * 1000 - Date.now()),
        label: 'refine',
        inWorker: concurrent,
        signal: abort.signal,
        onEpoch: (log) => tracking.epoch(log, 'refine_'),
      },
      // One progress bar at a time: concurrent epochs report by their log lines.
      { logger, progress: concurrent ? undefined : progress },
    );
  };

  try {
    const [loop, refineLoop] = await trainBoth(concurrent, runFirst, runRefine, abort);
    return { loop, refineLoop, trainSec: (Date.now() - started) / 1000 };
  } finally {
    if (trainNet !== model) trainNet.dispose();
  }
}

/** `training.patch_size` as a sample source, or undefined when the first network trains on whole photos. */
function firstNetworkPatches(
  config: TrainConfig,
  train: readonly CachedSample[],
  logger: Logger,
): { size: number; source: SampleSource } | undefined {
  const size = patchTrainingSize(config);
  if (size === undefined) return undefined;
  const { patch_foreground: share, seed } = config.training;
  const input = config.model.input_size;
  logger.info(
    `first network: trained on ${size}×${size} patches of the photos at ${input}×${input} ` +
      `(${Math.round(100 * share)}% placed over the mask), applied to the whole ${input}×${input} photo`,
  );
  return { size, source: patchSamples(train, size, share, seed) };
}

/** Concurrent: both loops at once, the first failure aborting the other. Sequential: one after the other. */
async function trainBoth(
  concurrent: boolean,
  runFirst: () => Promise<TrainingLoopResult>,
  runRefine: () => Promise<TrainingLoopResult | undefined>,
  abort: AbortController,
): Promise<[TrainingLoopResult, TrainingLoopResult | undefined]> {
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
  return [loop, refineLoop];
}

interface Evaluation {
  inference: InferenceSpec;
  inferenceChoice: InferenceChoice;
  refineChoice?: RefineChoice;
  metrics: TrainResult['metrics'];
  evaluateSec: number;
}

/**
 * Decides what the saved model applies (post-processing steps left `auto` and the refine passes,
 * on validation only: choose-inference.ts) and scores that model on the validation and test
 * pairs. A dropped refine network is disposed here.
 */
async function chooseAndEvaluate(
  networks: Networks,
  config: TrainConfig,
  split: DataSplit,
  monitor: readonly Pair[],
  deps: TrainDeps,
): Promise<Evaluation> {
  const started = Date.now();
  const model = networks.model!;
  const chosen = await chooseInference(model, networks.refine, config, monitor, deps.logger, split.train);
  if (networks.refine && chosen.choice.passes === 0) {
    networks.refine.dispose();
    networks.refine = undefined;
  }
  const inference = chosen.spec;
  const segmenter: Segmenter = { model, spec: inference, refine: networks.refine };
  const progress = deps.progress;
  // When `monitor` is the validation split, the chosen variant's result is the validation result.
  const validation =
    monitor === split.validation
      ? chosen.monitorResult
      : await evaluate(segmenter, split.validation, { progress: progress?.() });
  const test = await evaluate(segmenter, split.test, { progress: progress?.() });
  const metrics = { validation, test, heldOut: combineResults(validation, test) };
  return {
    inference,
    inferenceChoice: chosen.choice,
    refineChoice: chosen.refineChoice,
    metrics,
    evaluateSec: (Date.now() - started) / 1000,
  };
}

function runRecordOf(
  run: StartedRun,
  config: TrainConfig,
  backend: ActiveBackend,
  trained: TrainedNetworks,
  evaluation: Evaluation,
  timings: RunRecord['timings'],
): RunRecord {
  const { loop, refineLoop } = trained;
  return {
    schemaVersion: 1,
    runId: run.tracker?.runId ?? null,
    createdAt: new Date().toISOString(),
    metrics: evaluation.metrics,
    split: run.recorded,
    config,
    datasetFingerprint: run.datasetFingerprint,
    gitSha: run.gitSha,
    backend,
    seed: config.training.seed,
    epochs: loop.epochs,
    bestEpoch: loop.bestEpoch,
    stopReason: loop.stopReason,
    inference: evaluation.inferenceChoice,
    ...(refineLoop
      ? {
          refine: {
            epochs: refineLoop.epochs,
            bestEpoch: refineLoop.bestEpoch,
            stopReason: refineLoop.stopReason,
            ...evaluation.refineChoice!,
          },
        }
      : {}),
    timings,
  };
}

/** model.json + weights, metrics.json, inference.json, and the refine network when the model applies it. */
async function saveTrained(
  outputDir: string,
  networks: Networks,
  inference: InferenceSpec,
  record: RunRecord,
): Promise<string> {
  const modelDir = join(outputDir, 'model');
  await saveModel(
    networks.model!,
    modelDir,
    {
      [METRICS_JSON]: `${JSON.stringify(record, null, 2)}\n`,
      [INFERENCE_JSON]: `${JSON.stringify(inference, null, 2)}\n`,
    },
    networks.refine && inference.refine ? { [inference.refine.dir]: networks.refine } : {},
  );
  return modelDir;
}

function logOutcome(logger: Logger, heldOut: EvaluationResult, trained: TrainedNetworks, modelDir: string): void {
  const { loop, refineLoop } = trained;
  logger.info(
    `held-out (${heldOut.count} pairs) Dice ${heldOut.mean.dice.toFixed(4)}, IoU ${heldOut.mean.iou.toFixed(4)}; ` +
      `best epoch ${loop.bestEpoch}, stopped: ${loop.stopReason}` +
      (refineLoop ? `; refine best epoch ${refineLoop.bestEpoch}, stopped: ${refineLoop.stopReason}` : '') +
      `; saved ${modelDir}`,
  );
}
