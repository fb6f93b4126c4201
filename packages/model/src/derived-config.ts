/**
 * Config values derived from the training data when the config says `auto`, so the defaults fit
 * a reading window that is 2% of a photo as well as cells that cover 70% of it:
 *
 * - `model.foreground_prior`: the training masks' mean foreground share (at input size).
 * - `training.loss.pos_weight`: ((1 − p) / p)^k with k = ln 3 / ln 49, the power law through the
 *   measured point (p = 2% → 3, docs/training.md) and 1 at p = 50%; below 1 when most pixels
 *   are foreground, so thin background boundaries are not drowned. Clamped to [0.25, 10].
 * - `inference.empty_fallback`: on when every training mask has foreground (segmenter.ts: an
 *   empty first-stage mask then becomes the region around the map's peak).
 *
 * `resolveDerivedConfig` writes the numbers into the config, so metrics.json records what ran.
 * Post-processing `auto` is decided later, on validation (choose-inference.ts).
 */
import type { TrainConfig } from './config';
import type { PostprocessSpec } from './postprocess';
import type { CachedSample } from './samples';

const POS_WEIGHT_EXPONENT = Math.log(3) / Math.log(49);

/** Mean share of foreground pixels over the masks (each mask counts once). */
export function meanForegroundShare(samples: readonly Pick<CachedSample, 'mask'>[]): number {
  if (samples.length === 0) return Number.NaN;
  let sum = 0;
  for (const { mask } of samples) {
    let on = 0;
    for (let i = 0; i < mask.data.length; i++) on += mask.data[i] === 1 ? 1 : 0;
    sum += on / Math.max(1, mask.data.length);
  }
  return sum / samples.length;
}

/** The output bias's starting probability for a foreground share (kept away from 0 and 1). */
export function priorForShare(share: number): number {
  return Math.min(0.95, Math.max(0.005, Number.isFinite(share) ? share : 0.5));
}

export function posWeightForShare(share: number): number {
  const p = priorForShare(share);
  return Math.min(10, Math.max(0.25, ((1 - p) / p) ** POS_WEIGHT_EXPONENT));
}

export interface DerivedValues {
  foregroundShare: number;
  foreground_prior?: number;
  pos_weight?: number;
  empty_fallback?: boolean;
}

/** Whether every mask has at least one foreground pixel (then "nothing here" is never the answer). */
export function everyMaskHasForeground(samples: readonly Pick<CachedSample, 'mask'>[]): boolean {
  return samples.length > 0 && samples.every(({ mask }) => mask.data.includes(1));
}

/** The config with every data-derived `auto` replaced by its value, and what was derived. */
export function resolveDerivedConfig(
  config: TrainConfig,
  train: readonly Pick<CachedSample, 'mask'>[],
): { config: TrainConfig; derived: DerivedValues } {
  const share = meanForegroundShare(train);
  const derived: DerivedValues = { foregroundShare: share };
  let { model, training } = config;
  if (model.foreground_prior === 'auto') {
    derived.foreground_prior = round(priorForShare(share));
    model = { ...model, foreground_prior: derived.foreground_prior };
  }
  if (training.loss.pos_weight === 'auto') {
    derived.pos_weight = round(posWeightForShare(share));
    training = { ...training, loss: { ...training.loss, pos_weight: derived.pos_weight } };
  }
  let { inference } = config;
  if (inference.empty_fallback === 'auto') {
    derived.empty_fallback = everyMaskHasForeground(train);
    inference = { ...inference, empty_fallback: derived.empty_fallback };
  }
  return { config: { ...config, model, training, inference }, derived };
}

/** 4 significant digits: what a person would write in the YAML. */
function round(value: number): number {
  return Number(value.toPrecision(4));
}

/** A bare network built outside a training run: `auto` means no prior (0.5, bias 0). */
export function numericPrior(prior: number | 'auto'): number {
  return prior === 'auto' ? 0.5 : prior;
}

/** A loss outside a training run: `auto` means unweighted BCE. */
export function numericPosWeight(weight: number | 'auto'): number {
  return weight === 'auto' ? 1 : weight;
}

/**
 * The post-processing training's per-epoch validation applies: the fixed steps only (an `auto`
 * step is off until the end-of-training choice turns it on).
 */
export function fixedPostprocess(
  cfg: Pick<TrainConfig['postprocess'], 'keep_largest_component' | 'fill_holes'>,
): PostprocessSpec {
  return { keep_largest_component: cfg.keep_largest_component === true, fill_holes: cfg.fill_holes === true };
}
