/**
 * `wms cv --models-from DIR`: the fold models of an earlier cross-validation, re-decided without
 * training. Each fold's saved networks get their inference (post-processing, refine passes,
 * candidate regions, TTA, the empty-mask fallback, the component ranker, fitted again on the
 * fold's training pairs) chosen again by the current code and config, on that fold's validation
 * pairs only, exactly as a training run ends (choose-inference.ts); the held-out fold is then
 * scored as usual. What it answers: "would the inference choices of
 * this version have done better with the same networks?", in minutes instead of hours. Only
 * inference is re-decided: a change to training keys needs a new `wms cv`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapConcurrent, UserError, type Logger } from '@wms/core';
import type { Pair } from '@wms/dataset';
import { chooseInference } from './choose-inference';
import { trainConfigSchema, type TrainConfig } from './config';
import { resolveDerivedConfig } from './derived-config';
import { readMaskOriginal } from './image-io';
import { INFERENCE_JSON, REFINE_DIR, readInferenceSpec } from './inference-spec';
import { loadModel, saveModel } from './model-io';
import { combineResults, METRICS_JSON, type RunRecord } from './run-record';
import type { DataSplit } from './split';
import { ensureBackend } from './use-backend';

export interface ReusedFold {
  modelDir: string;
  record: RunRecord;
  validationDice: number;
}

/**
 * Training keys added after a model was trained, with the value that means what that model's
 * training did (not today's default, which would misstate its record).
 */
const BEFORE_TRAINING_KEYS: Partial<TrainConfig['refine']> = { stage_errors: 0 };

/**
 * The keys `--models-from` re-decides; every other key is what the fold model trained with (a
 * training key its record predates: the value that reproduces its training).
 */
export function reusedConfig(trained: TrainConfig, current: TrainConfig): TrainConfig {
  return trainConfigSchema.parse({
    ...trained,
    postprocess: current.postprocess,
    inference: current.inference,
    refine: {
      ...BEFORE_TRAINING_KEYS,
      ...trained.refine,
      tta: current.refine.tta,
      max_passes: current.refine.max_passes,
      regions: current.refine.regions,
    },
  });
}

function sameIds(recorded: readonly string[], pairs: readonly Pair[]): boolean {
  const ids = new Set(pairs.map((p) => p.id));
  return recorded.length === ids.size && recorded.every((id) => ids.has(id));
}

export async function reuseFoldModel(
  fromDir: string,
  toDir: string,
  split: DataSplit,
  config: TrainConfig,
  logger: Logger,
): Promise<ReusedFold> {
  const metricsFile = join(fromDir, METRICS_JSON);
  if (!existsSync(metricsFile)) {
    throw new UserError(`--models-from: ${metricsFile} does not exist.`, {
      hint: 'Point --models-from at the --out folder of an earlier `wms cv` with the same --folds and data (it holds fold-<i>/model/).',
    });
  }
  const record = JSON.parse(readFileSync(metricsFile, 'utf8')) as RunRecord;
  if (!sameIds(record.split.train, split.train) || !sameIds(record.split.validation, split.validation)) {
    throw new UserError(
      `--models-from: ${fromDir} was trained on other pairs than this fold's (${record.split.train.length} train / ` +
        `${record.split.validation.length} validation recorded, ${split.train.length} / ${split.validation.length} now).`,
      { hint: 'Use the same --folds, data folder and data split keys as the run that trained the models.' },
    );
  }
  const reused = reusedConfig(record.config, config);
  // The recorded config has its trained `auto`s resolved; an `auto` among the re-decided keys is
  // resolved from the fold's training masks exactly as training does (derived-config.ts).
  const finalConfig =
    reused.inference.empty_fallback === 'auto'
      ? resolveDerivedConfig(
          reused,
          await mapConcurrent(split.train, 4, async (p) => ({ mask: await readMaskOriginal(p.mask) })),
        ).config
      : reused;
  await ensureBackend();
  const model = await loadModel(fromDir);
  const savedSpec = readInferenceSpec(fromDir);
  const refineDir = join(fromDir, savedSpec.refine?.dir ?? REFINE_DIR);
  const refine = existsSync(join(refineDir, 'model.json')) ? await loadModel(refineDir) : undefined;
  try {
    if (!refine && finalConfig.refine.enabled) {
      logger.warning(`${fromDir} holds no refine network (its training dropped it): choosing without one`);
    }
    const started = Date.now();
    const chosen = await chooseInference(model, refine, finalConfig, split.validation, logger, split.train);
    // What a training run with this version would have taken: the recorded decode and training,
    // and this choice instead of the recorded one.
    const evaluateSec = (Date.now() - started) / 1000;
    const timings = {
      ...record.timings,
      evaluateSec,
      totalSec: record.timings.decodeSec + record.timings.trainSec + evaluateSec,
    };
    const keepRefine = refine && chosen.spec.refine ? refine : undefined;
    const validation = chosen.monitorResult;
    const redecided: RunRecord = {
      ...record,
      config: finalConfig,
      inference: chosen.choice,
      metrics: { ...record.metrics, validation, heldOut: combineResults(validation, record.metrics.test) },
      timings,
      reusedFrom: fromDir,
    };
    if (record.refine && chosen.refineChoice) redecided.refine = { ...record.refine, ...chosen.refineChoice };
    await saveModel(
      model,
      toDir,
      {
        [METRICS_JSON]: `${JSON.stringify(redecided, null, 2)}\n`,
        [INFERENCE_JSON]: `${JSON.stringify(chosen.spec, null, 2)}\n`,
      },
      keepRefine ? { [chosen.spec.refine!.dir]: keepRefine } : {},
    );
    return { modelDir: toDir, record: redecided, validationDice: validation.mean.dice };
  } finally {
    model.dispose();
    refine?.dispose();
  }
}
