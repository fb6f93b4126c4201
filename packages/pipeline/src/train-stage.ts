/**
 * The train stage as the action and the CLI both run it: resolve the config and the pairs
 * against a workspace, start a tracked run, train, and close the run with its status.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError, type Logger, type ProgressFactory, type RunTracker } from '@wms/core';
import { discoverPairs, type Pair } from '@wms/dataset';
import { loadTrainConfig, trainModel, type BackendPreference, type TrainConfig, type TrainResult } from '@wms/model';
import { createRegistry, type TrackedRun } from '@wms/registry';

export const WORKSPACE_CONFIG = 'WMS/configs/train.yaml';

/** An explicit path must exist; without one, the workspace's config file, else the defaults. */
export function resolveTrainConfig(configInput: string | undefined, workspace: string, logger: Logger): TrainConfig {
  if (configInput) return loadTrainConfig(resolve(workspace, configInput));
  const conventional = resolve(workspace, WORKSPACE_CONFIG);
  if (existsSync(conventional)) {
    logger.info(`Config: ${WORKSPACE_CONFIG}`);
    return loadTrainConfig(conventional);
  }
  logger.info(`Config: embedded defaults (no ${WORKSPACE_CONFIG} in ${workspace})`);
  return loadTrainConfig();
}

/** The pairs to train on. Unpaired files are the data-qa stage's verdict; here they are skipped. */
export async function discoverTrainingPairs(dataDir: string, workspace: string, logger: Logger): Promise<Pair[]> {
  const root = resolve(workspace, dataDir);
  const { pairs, problems } = await discoverPairs({ root });
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    logger.warning(`${errors.length} files in ${root} are not usable pairs and are skipped (run data-qa for details).`);
  }
  if (pairs.length === 0) {
    throw new UserError(`No image/mask pairs found in ${root}.`, {
      hint: 'Point the data directory at a folder with images/ and masks/ holding files of the same name.',
    });
  }
  logger.info(`Dataset: ${pairs.length} pairs in ${root}`);
  return pairs;
}

export interface TrackerRequest {
  trackingUri: string | undefined;
  experiment: string;
  workspace: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  tags: Record<string, string>;
}

export type CreateTracker = (request: TrackerRequest) => Promise<RunTracker>;

/** A run in the registry package's tracking store: MLflow for an http(s) URI, else the local store. */
export const createTracker: CreateTracker = async (request) => {
  const backend = createRegistry({
    trackingUri: request.trackingUri || undefined,
    workdir: request.workspace,
    logger: request.logger,
    env: request.env,
  });
  request.logger.info(`Tracking: ${backend.kind} (${backend.location}), experiment ${request.experiment}`);
  return backend.tracking.startRun({ experiment: request.experiment, tags: request.tags });
};

export interface TrainStageOptions {
  dataDir: string;
  config?: string;
  outputDir: string;
  backend?: BackendPreference;
  timeBudgetSec?: number;
  seed?: number;
  trackingUri?: string;
  experiment: string;
  workspace: string;
  env: NodeJS.ProcessEnv;
}

export interface TrainStageResult extends TrainResult {
  runId: string;
}

export async function runTrainStage(
  options: TrainStageOptions,
  deps: { logger: Logger; progress?: ProgressFactory; createTracker?: CreateTracker },
): Promise<TrainStageResult> {
  const { logger, workspace } = { ...deps, ...options };
  const config = resolveTrainConfig(options.config, workspace, logger);
  const pairs = await discoverTrainingPairs(options.dataDir, workspace, logger);
  const tracker = await (deps.createTracker ?? createTracker)({
    trackingUri: options.trackingUri,
    experiment: options.experiment,
    workspace,
    env: options.env,
    logger,
    tags: { 'wms.stage': 'train' },
  });
  const result = await trainModel(
    {
      pairs,
      config,
      outputDir: resolve(workspace, options.outputDir),
      backend: options.backend,
      timeBudgetSec: options.timeBudgetSec,
      seed: options.seed,
      tracker,
    },
    { logger, progress: deps.progress },
  );
  // The trainer keeps a finished model when tracking fails; the stage must not: a run whose model
  // artifacts did not reach the server is FAILED there, and so is this stage.
  const requiredFailure = (tracker as Partial<TrackedRun>).requiredFailure;
  if (requiredFailure) throw requiredFailure;
  return { ...result, runId: tracker.runId };
}
