/**
 * What the saved model applies after its first network, chosen on validation only: each
 * post-processing step the config leaves `auto` (keep-largest-component, fill-holes) and the
 * refine network's pass count (0 drops it). Every combination is scored at the photos'
 * resolution in one pass over the pairs (`evaluateSpecs`, the same scoring as `evaluate`); the
 * best validation Dice wins, and a step or a pass is only kept when it raises Dice (ties go to
 * fewer passes, then to fewer steps). Test pairs play no part.
 */
import type * as tf from '@tensorflow/tfjs';
import type { EvaluationResult, Logger } from '@wms/core';
import type { Pair } from '@wms/dataset';
import type { TrainConfig } from './config';
import { evaluateSpecs } from './evaluate';
import { inferenceSpecFromConfig, type InferenceSpec } from './inference-spec';
import type { PostprocessSpec } from './postprocess';
import type { RefineChoice } from './run-record';

/** One scored combination. */
export interface InferenceCandidate {
  keep_largest_component: boolean;
  fill_holes: boolean;
  passes: number;
  dice: number;
}

/** What metrics.json records about the choice. */
export interface InferenceChoice {
  postprocess: PostprocessSpec;
  passes: number;
  /** Steps that were chosen on validation (`auto`), and every combination's validation Dice. */
  chosenOnValidation: (keyof PostprocessSpec)[];
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

export async function chooseInference(
  model: tf.LayersModel,
  refine: tf.LayersModel | undefined,
  config: TrainConfig,
  monitor: readonly Pair[],
  logger: Logger,
): Promise<ChosenInference> {
  const maxPasses = refine ? config.refine.max_passes : 0;
  const variants = postprocessVariants(config.postprocess);
  const specs: InferenceSpec[] = [];
  const combos: { postprocess: PostprocessSpec; passes: number }[] = [];
  for (let passes = 0; passes <= maxPasses; passes++) {
    for (const postprocess of variants) {
      specs.push(inferenceSpecFromConfig(config, passes, postprocess));
      combos.push({ postprocess, passes });
    }
  }
  // One pass over the pairs for every combination: each photo is decoded once.
  const results = await evaluateSpecs({ model, refine }, specs, monitor);
  const candidates: InferenceCandidate[] = [];
  let best: { candidate: InferenceCandidate; spec: InferenceSpec; result: EvaluationResult } | undefined;
  const bestByPasses: number[] = [];
  for (const [i, { postprocess, passes }] of combos.entries()) {
    const result = results[i]!;
    const candidate = { ...postprocess, passes, dice: result.mean.dice };
    candidates.push(candidate);
    bestByPasses[passes] = Math.max(bestByPasses[passes] ?? -Infinity, candidate.dice);
    if (!best || candidate.dice > best.candidate.dice) best = { candidate, spec: specs[i]!, result };
  }
  const chosen = best!;
  const choice: InferenceChoice = {
    postprocess: chosen.spec.postprocess,
    passes: chosen.candidate.passes,
    chosenOnValidation: (['keep_largest_component', 'fill_holes'] as const).filter(
      (k) => config.postprocess[k] === 'auto',
    ),
    candidates,
  };
  const steps = Object.entries(choice.postprocess)
    .filter(([, on]) => on)
    .map(([k]) => k);
  logger.info(
    `inference chosen on ${monitor.length} validation pairs: post-processing ${steps.length ? steps.join(' + ') : 'none'}` +
      (refine ? `, ${choice.passes} refine pass${choice.passes === 1 ? '' : 'es'}` : '') +
      ` (Dice ${chosen.candidate.dice.toFixed(4)} of ${candidates.length} combinations)`,
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
