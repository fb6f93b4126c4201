/**
 * What the saved model applies around its networks, chosen on validation only: each
 * post-processing step the config leaves `auto` (keep-largest-component, fill-holes), the refine
 * network's pass count (0 drops it), the candidate regions its first pass tries and the first
 * network's test-time augmentation. Every combination is scored at the photos' resolution in one
 * pass over the pairs (`evaluateSpecs`, the same scoring as `evaluate`); the best validation Dice
 * wins, and a step, a pass, a region or a TTA is only kept when it raises Dice (ties go to
 * fewer passes, fewer regions, no TTA, fewer steps). Test pairs play no part.
 */
import type * as tf from '@tensorflow/tfjs';
import type { EvaluationResult, Logger } from '@wms/core';
import type { Pair } from '@wms/dataset';
import type { TrainConfig } from './config';
import { evaluateSpecs } from './evaluate';
import { inferenceSpecFromConfig, type InferenceSpec, type TtaMode } from './inference-spec';
import type { PostprocessSpec } from './postprocess';
import type { RefineChoice } from './run-record';

/** One scored combination. */
export interface InferenceCandidate {
  keep_largest_component: boolean;
  fill_holes: boolean;
  passes: number;
  /** First-stage regions the first refine pass tried (1 without the refine network). */
  regions: number;
  /** The first network's test-time augmentation. */
  tta: TtaMode;
  dice: number;
}

/** What metrics.json records about the choice. */
export interface InferenceChoice {
  postprocess: PostprocessSpec;
  passes: number;
  regions: number;
  tta: TtaMode;
  /** Whether an empty first-stage mask falls back to the map's peak (from the training masks). */
  empty_fallback: boolean;
  /** How the winner was picked: the best Dice, or the simplest within one standard error of it. */
  selection?: 'best' | 'one_se';
  /** Keys that were chosen on validation (`auto`), and every combination's validation Dice. */
  chosenOnValidation: string[];
  candidates: InferenceCandidate[];
}

export interface ChosenInference {
  spec: InferenceSpec;
  choice: InferenceChoice;
  /** Present when a refine network was trained. */
  refineChoice?: RefineChoice;
  /** The monitored pairs' result with the chosen spec. */
  monitorResult: EvaluationResult;
}

function options(value: boolean | 'auto'): boolean[] {
  return value === 'auto' ? [false, true] : [value];
}

/** Post-processing variants in the order ties are broken: fewer steps first. */
export function postprocessVariants(cfg: TrainConfig['postprocess']): PostprocessSpec[] {
  const variants: PostprocessSpec[] = [];
  for (const keep_largest_component of options(cfg.keep_largest_component)) {
    for (const fill_holes of options(cfg.fill_holes)) variants.push({ keep_largest_component, fill_holes });
  }
  const steps = (v: PostprocessSpec): number => Number(v.keep_largest_component) + Number(v.fill_holes);
  return variants.sort((a, b) => steps(a) - steps(b));
}

/** `auto` TTA compares none with the dihedral group (mirrors and quarter turns); simplest first. */
export function ttaVariants(cfg: TrainConfig['inference']): TtaMode[] {
  return cfg.tta === 'auto' ? ['none', 'dihedral'] : [cfg.tta];
}

/** `auto` regions compares 1 (the crop around the whole mask) with 3 regions; simplest first. */
export function regionVariants(cfg: TrainConfig['refine']): number[] {
  return cfg.regions === 'auto' ? [1, 3] : [cfg.regions];
}

/**
 * The one-standard-error rule (Breiman et al.): the index of the simplest combination (lowest
 * index) whose mean Dice is below the best's by no more than the standard error of that gap, the
 * per-image differences being paired on the same photos (`scores[i][j]`: combination i, photo j).
 * On 8–10 validation photos the best of 40 combinations is partly luck; a simpler one that is
 * statistically as good generalises at least as well.
 */
export function oneStandardErrorIndex(scores: readonly (readonly number[])[]): number {
  const means = scores.map((s) => s.reduce((a, b) => a + b, 0) / Math.max(1, s.length));
  let best = 0;
  for (let i = 1; i < means.length; i++) if (means[i]! > means[best]!) best = i;
  const reference = scores[best]!;
  const n = reference.length;
  for (let i = 0; i < best; i++) {
    const gaps = reference.map((d, j) => d - (scores[i]![j] ?? 0));
    const gap = means[best]! - means[i]!;
    const meanGap = gaps.reduce((a, b) => a + b, 0) / Math.max(1, n);
    const variance = n > 1 ? gaps.reduce((a, g) => a + (g - meanGap) ** 2, 0) / (n - 1) : 0;
    if (gap <= Math.sqrt(variance / Math.max(1, n)) + 1e-12) return i;
  }
  return best;
}

export async function chooseInference(
  model: tf.LayersModel,
  refine: tf.LayersModel | undefined,
  config: TrainConfig,
  monitor: readonly Pair[],
  logger: Logger,
): Promise<ChosenInference> {
  // `config` is the resolved one (derived-config.ts): an `auto` fallback is a boolean by now,
  // and inferenceSpecFromConfig applies it to every combination.
  const emptyFallback = config.inference.empty_fallback === true;
  const maxPasses = refine ? config.refine.max_passes : 0;
  const variants = postprocessVariants(config.postprocess);
  const ttas = ttaVariants(config.inference);
  const specs: InferenceSpec[] = [];
  const combos: Omit<InferenceCandidate, 'dice'>[] = [];
  // Enumerated simplest first, so a tie keeps the simpler combination: fewer passes, fewer
  // regions, no TTA, fewer post-processing steps.
  for (let passes = 0; passes <= maxPasses; passes++) {
    for (const regions of passes === 0 ? [1] : regionVariants(config.refine)) {
      for (const tta of ttas) {
        for (const postprocess of variants) {
          specs.push(inferenceSpecFromConfig(config, passes, postprocess, { regions, tta }));
          combos.push({ ...postprocess, passes, regions, tta });
        }
      }
    }
  }
  // One pass over the pairs for every combination: each photo is decoded once, the first network
  // runs once per TTA mode and the refine network once per distinct crop.
  const results = await evaluateSpecs({ model, refine }, specs, monitor);
  const candidates: InferenceCandidate[] = [];
  let best: { candidate: InferenceCandidate; spec: InferenceSpec; result: EvaluationResult } | undefined;
  const bestByPasses: number[] = [];
  for (const [i, combo] of combos.entries()) {
    const result = results[i]!;
    const candidate = { ...combo, dice: result.mean.dice };
    candidates.push(candidate);
    bestByPasses[combo.passes] = Math.max(bestByPasses[combo.passes] ?? -Infinity, candidate.dice);
    if (!best || candidate.dice > best.candidate.dice) best = { candidate, spec: specs[i]!, result };
  }
  const pick =
    config.inference.selection === 'one_se'
      ? oneStandardErrorIndex(results.map((r) => r.perImage.map((s) => s.dice)))
      : undefined;
  const top = best!;
  const chosen =
    pick === undefined ? top : { candidate: candidates[pick]!, spec: specs[pick]!, result: results[pick]! };
  const chosenOnValidation = [
    ...(['keep_largest_component', 'fill_holes'] as const).filter((k) => config.postprocess[k] === 'auto'),
    ...(config.inference.tta === 'auto' ? ['tta'] : []),
    ...(refine && config.refine.regions === 'auto' ? ['regions'] : []),
  ];
  const choice: InferenceChoice = {
    postprocess: chosen.spec.postprocess,
    passes: chosen.candidate.passes,
    regions: chosen.candidate.regions,
    tta: chosen.candidate.tta,
    empty_fallback: emptyFallback,
    selection: config.inference.selection,
    chosenOnValidation,
    candidates,
  };
  const steps = Object.entries(choice.postprocess)
    .filter(([, on]) => on)
    .map(([k]) => k);
  logger.info(
    `inference chosen on ${monitor.length} validation pairs: post-processing ${steps.length ? steps.join(' + ') : 'none'}` +
      `, first-stage TTA ${choice.tta}` +
      (refine
        ? `, ${choice.passes} refine pass${choice.passes === 1 ? '' : 'es'}` +
          (choice.passes > 0 ? ` over ${choice.regions} candidate region${choice.regions === 1 ? '' : 's'}` : '')
        : '') +
      (choice.empty_fallback ? ', empty masks fall back to the peak region' : '') +
      ` (Dice ${chosen.candidate.dice.toFixed(4)} of ${candidates.length} combinations` +
      (chosen.candidate === top.candidate
        ? ')'
        : `: the simplest within one standard error of the best, ${top.candidate.dice.toFixed(4)})`),
  );
  let refineChoice: RefineChoice | undefined;
  if (refine) {
    const passes = choice.passes;
    const verdict =
      passes > 0 ? `kept, ${passes} pass${passes > 1 ? 'es' : ''}` : 'dropped: the model is saved without it';
    logger.info(
      `refine network ${verdict} (best validation Dice ${bestByPasses.map((d, p) => `${p}: ${d.toFixed(4)}`).join(', ')} ` +
        `by number of refine passes)`,
    );
    refineChoice = {
      used: passes > 0,
      passes,
      validationDice: {
        withRefine: Math.max(...bestByPasses.slice(1)),
        without: bestByPasses[0]!,
        byPasses: bestByPasses,
      },
    };
  }
  return { spec: chosen.spec, choice, refineChoice, monitorResult: chosen.result };
}
