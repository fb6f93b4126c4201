/** Resolves the train action's dataset and config against the workspace. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError, type InputValues, type Logger } from '@wms/core';
import { discoverPairs, type Pair } from '@wms/dataset';
import { loadTrainConfig, type BackendPreference, type TrainConfig, type TrainModelOptions } from '@wms/model';
import type { spec } from './spec';

export const WORKSPACE_CONFIG = 'WMS/configs/train.yaml';

/** An explicit path must exist; without one, the workspace's config file, else the defaults. */
export function resolveTrainConfig(configInput: string, workspace: string, logger: Logger): TrainConfig {
  if (configInput) return loadTrainConfig(resolve(workspace, configInput));
  const conventional = resolve(workspace, WORKSPACE_CONFIG);
  if (existsSync(conventional)) {
    logger.info(`Config: ${WORKSPACE_CONFIG}`);
    return loadTrainConfig(conventional);
  }
  logger.info(`Config: embedded defaults (no ${WORKSPACE_CONFIG} in the workspace)`);
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
      hint: "Point 'data-dir' at a folder with images/ and masks/ holding files of the same name.",
    });
  }
  logger.info(`Dataset: ${pairs.length} pairs in ${root}`);
  return pairs;
}

/** Everything `trainModel` needs from the action's inputs except the tracker. */
export async function trainOptionsFromInputs(
  inputs: InputValues<typeof spec.inputs>,
  ctx: { workspace: string; logger: Logger },
): Promise<Omit<TrainModelOptions, 'tracker'>> {
  return {
    config: resolveTrainConfig(inputs.config, ctx.workspace, ctx.logger),
    pairs: await discoverTrainingPairs(inputs['data-dir'], ctx.workspace, ctx.logger),
    outputDir: resolve(ctx.workspace, inputs['output-dir']),
    backend: inputs.backend as BackendPreference,
    timeBudgetSec: inputs['time-budget'],
    seed: inputs.seed,
  };
}
