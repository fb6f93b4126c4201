/**
 * What the saved model applies around its networks, chosen on validation only: each
 * post-processing step the config leaves `auto` (keep-largest-component, fill-holes), the refine
 * network's pass count (0 drops it), the candidate regions its first pass tries and the first
 * network's test-time augmentation, and whether keep-largest-component keeps the region a ranker
 * fitted on the training pairs scores highest instead (component-ranker.ts). Every combination
 * is scored at the photos' resolution in one pass over the pairs (`evaluateSpecs`, the same
 * scoring as `evaluate`); the best validation Dice wins, and a step, a pass, a region, a TTA or
 * the ranker is only kept when it raises Dice (ties go to fewer passes, fewer regions, no TTA,
 * fewer steps, the largest region). Test pairs play no part.
 */
import type * as tf from '@tensorflow/tfjs';
import type { EvaluationResult, Logger } from '@wms/core';
import type { Pair } from '@wms/dataset';
import type { TrainConfig } from './config';
import { evaluateSpecs } from './evaluate';
import { fitRankerOnPairs, type FittedRanker } from './fit-component-ranker';
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
  /** keep_largest_component keeps the ranker's region (absent in records before the ranker). */
  ranked?: boolean;
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
  /** Which region keep_largest_component keeps (absent in records before the ranker: largest). */
  component_choice?: 'largest' | 'ranked';
  /** The component ranker fitted on the training pairs (with either first-stage TTA). */
  ranker?: Omit<FittedRanker, 'ranker'>;
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
export function postprocessVariants(
  cfg: Pick<TrainConfig['postprocess'], 'keep_largest_component' | 'fill_holes'>,
): PostprocessSpec[] {
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

/**
 * Whether keep_largest_component keeps the largest region or the ranker's: `auto` compares both,
 * largest first; without a fitted ranker only the largest.
 */
export function componentChoices(cfg: TrainConfig['postprocess'], ranker: boolean): boolean[] {
  if (!ranker || cfg.component_choice === 'largest') return [false];
  return cfg.component_choice === 'auto' ? [false, true] : [true];
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
  /** The training pairs: what the component ranker is fitted on (`postprocess.component_choice`). */
  trainPairs: readonly Pair[] = [],
): Promise<ChosenInference> {
  // `config` is the resolved one (derived-config.ts): an `auto` fallback is a boolean by now,
  // and inferenceSpecFromConfig applies it to every combination.
  const emptyFallback = config.inference.empty_fallback === true;
  const maxPasses = refine ? config.refine.max_passes : 0;
  const variants = postprocessVariants(config.postprocess);
  const ttas = ttaVariants(config.inference);
  const wantsRanker =
    config.postprocess.component_choice !== 'largest' && variants.some((v) => v.keep_largest_component);
  const fitted = wantsRanker ? await fitRankerOnPairs(model, trainPairs, logger) : undefined;
  const ranker = fitted?.ranker;
  const specs: InferenceSpec[] = [];
  const combos: Omit<InferenceCandidate, 'dice'>[] = [];
  // Enumerated simplest first, so a tie keeps the simpler combination: fewer passes, fewer
  // regions, no TTA, fewer post-processing steps.
  for (let passes = 0; passes <= maxPasses; passes++) {
    for (const regions of passes === 0 ? [1] : regionVariants(config.refine)) {
      for (const tta of ttas) {
        for (const postprocess of variants) {
          for (const ranked of postprocess.keep_largest_component
            ? componentChoices(config.postprocess, ranker !== undefined)
            : [false]) {
            const spec = inferenceSpecFromConfig(config, passes, postprocess, { regions, tta });
            if (ranked) spec.component_ranker = ranker;
            specs.push(spec);
            combos.push({ ...postprocess, passes, regions, tta, ...(ranked ? { ranked } : {}) });
          }
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
    ...(ranker && config.postprocess.component_choice === 'auto' ? ['component_choice'] : []),
  ];
  const choice: InferenceChoice = {
    postprocess: chosen.spec.postprocess,
    passes: chosen.candidate.passes,
    regions: chosen.candidate.regions,
    tta: chosen.candidate.tta,
    empty_fallback: emptyFallback,
    ...(fitted
      ? {
          component_choice: chosen.spec.component_ranker ? ('ranked' as const) : ('largest' as const),
          ranker: {
            photos: fitted.photos,
            examples: fitted.examples,
            accuracy: fitted.accuracy,
            largestAccuracy: fitted.largestAccuracy,
          },
        }
      : {}),
    selection: config.inference.selection,
    chosenOnValidation,
    candidates,
  };
  const steps = Object.entries(choice.postprocess)
    .filter(([, on]) => on)
    .map(([k]) => k);
  if (chosen.spec.component_ranker) steps[steps.indexOf('keep_largest_component')] = 'keep_ranked_component';
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
