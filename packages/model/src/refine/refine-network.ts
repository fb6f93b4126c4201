/**
 * The refine network's part of a training run (see crops.ts for what it is): its data, its
 * network and its training config. How many refine passes the saved model applies (0: none) is
 * chosen with the post-processing in choose-inference.ts.
 * train-model.ts calls these steps only when `refine.enabled`.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Logger, ProgressFactory } from '@wms/core';
import type { Pair } from '@wms/dataset';
import type { TrainConfig } from '../config';
import { deriveSeed } from '../random';
import type { CachedSample } from '../samples';
import type { SampleSource } from '../train-loop';
import { buildUNet } from '../unet';
import { centredCrops, jitteredCrops, loadRefineSources, meanForeground } from './training-data';

export interface RefineData {
  /** Jittered crops around the training masks, new each epoch. */
  train: SampleSource;
  /** Crops of the monitored pairs (validation, else train), for early stopping (centredCrops). */
  validation: CachedSample[];
  seed: number;
  /** Mean foreground share of the centred training crops. */
  foreground: number;
}

/** Decodes the pairs at `refine.source_size`; `monitor` undefined means the training pairs. */
export async function loadRefineData(
  trainPairs: readonly Pair[],
  monitor: readonly Pair[] | undefined,
  config: TrainConfig,
  progress?: ProgressFactory,
): Promise<RefineData> {
  const cfg = config.refine;
  const seed = deriveSeed(config.training.seed, 2);
  const sources = await loadRefineSources(trainPairs, cfg.source_size, progress?.());
  const monitorSources = monitor ? await loadRefineSources(monitor, cfg.source_size, progress?.()) : sources;
  return {
    train: jitteredCrops(sources, cfg, seed),
    validation: centredCrops(monitorSources, cfg, seed),
    seed,
    foreground: meanForeground(centredCrops(sources, { ...cfg, stage_errors: 0 })),
  };
}

/** The first network's U-Net at the refine input size, its output bias at the crops' foreground share. */
export function buildRefineNetwork(
  config: TrainConfig,
  data: RefineData,
  concurrent: boolean,
  logger: Logger,
): tf.LayersModel {
  const cfg = config.refine;
  // Crops are ~30% foreground, not the photos' ~2%: start the output bias at the crops' share.
  const prior = Math.min(0.9, Math.max(0.01, data.foreground));
  const model = buildUNet(
    { ...config.model, input_size: cfg.input_size, foreground_prior: prior },
    { seed: data.seed },
  );
  logger.info(
    `refine network: ${cfg.input_size}px crops around the mask (margin ${cfg.margin}, ` +
      `jitter ${cfg.jitter}, ${Math.round(cfg.stage_errors * 100)}% around imitated first-stage mistakes) ` +
      `of photos decoded at ${cfg.source_size}px; ` +
      (concurrent ? 'trains alongside the first network' : 'trains after the first network'),
  );
  return model;
}

/** The config the refine network trains with: the first network's, but its own loss weight. */
export function refineTrainingConfig(config: TrainConfig): TrainConfig {
  const { training } = config;
  return { ...config, training: { ...training, loss: { ...training.loss, pos_weight: config.refine.pos_weight } } };
}
