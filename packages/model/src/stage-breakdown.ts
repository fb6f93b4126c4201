/**
 * Where a model's misses come from. For each photo: the first network alone (threshold,
 * post-processing, empty-mask fallback; no refine), how much of the mask it covers, and one
 * refine pass around the TRUE mask's bounding box, i.e. what the refine network gives when the
 * first network places its region right. A photo under Dice 0.5 is then either missed by the
 * first network (its region holds less than a quarter of the mask: better localization is
 * needed) or found by it and lost in the later steps (better refinement is needed).
 * `wms evaluate --stages` and `wms cv` report it.
 */
import type { Progress } from '@wms/core';
import type { Pair } from '@wms/dataset';
import { readMaskOriginal, readRgbResized } from './image-io';
import { binarize, diceAndIou, overlapOfMasks } from './metrics';
import { maskBounds } from './refine/crops';
import { MISS_DICE, mean } from './score-summary';
import { firstStageProbabilities, refinedAround, refineSource, segmentToMask, type Segmenter } from './segmenter';
import { modelInputSize } from './unet';

/** A miss whose first-stage region holds less than this share of the mask is the first network's. */
export const FOUND_COVER = 0.25;

export interface StageScores {
  id: string;
  /** Dice of the first network's mask alone. */
  firstStageDice: number;
  /** Share of the mask's pixels inside the first network's mask. */
  firstStageCover: number;
  /** Dice of one refine pass around the true mask's bounding box; absent without a refine network or mask. */
  refineOnTruthDice?: number;
}

export interface StageSummary {
  /** Mean over the photos. */
  firstStageDice: number;
  refineOnTruthDice?: number;
  /** Photos under Dice 0.5 (final) by where they were lost. */
  misses: { firstStage: number; later: number };
}

/** Stage scores of `pairs` under the segmenter's own spec, one photo at a time. */
export async function stageScores(
  segmenter: Segmenter,
  pairs: readonly Pair[],
  progress?: Progress,
): Promise<StageScores[]> {
  const size = modelInputSize(segmenter.model);
  const firstOnly: Segmenter = { model: segmenter.model, spec: { ...segmenter.spec, refine: undefined } };
  const out: StageScores[] = [];
  progress?.start(pairs.length, `stage breakdown of ${pairs.length} images`);
  for (const pair of pairs) {
    const [image, truth] = await Promise.all([readRgbResized(pair.image, size), readMaskOriginal(pair.mask)]);
    const [map] = await firstStageProbabilities(segmenter, [image]);
    const source = refineSource(segmenter, pair.image);
    const first = await segmentToMask(firstOnly, map!, truth.width, truth.height, source);
    const overlap = overlapOfMasks(first, truth);
    const scores: StageScores = {
      id: pair.id,
      firstStageDice: diceAndIou(overlap).dice,
      firstStageCover: overlap.truth === 0 ? 1 : overlap.intersection / overlap.truth,
    };
    const bounds = maskBounds(truth.data, truth.width, truth.height);
    if (segmenter.refine && segmenter.spec.refine && bounds) {
      const refined = await refinedAround(
        segmenter.refine,
        segmenter.spec.refine,
        await source(),
        bounds,
        truth.width,
        truth.height,
      );
      const mask = binarize(
        refined.pasted,
        truth.width,
        truth.height,
        segmenter.spec.threshold,
        segmenter.spec.postprocess,
      );
      scores.refineOnTruthDice = diceAndIou(overlapOfMasks(mask, truth)).dice;
    }
    out.push(scores);
    progress?.tick(1);
  }
  progress?.stop();
  return out;
}

/** The means and the misses split by stage; `finalDice` by id (the model's scores as served). */
export function summarizeStages(stages: readonly StageScores[], finalDice: ReadonlyMap<string, number>): StageSummary {
  const refined = stages.flatMap((s) => (s.refineOnTruthDice === undefined ? [] : [s.refineOnTruthDice]));
  const misses = { firstStage: 0, later: 0 };
  for (const s of stages) {
    const dice = finalDice.get(s.id);
    if (dice === undefined || dice >= MISS_DICE) continue;
    if (s.firstStageCover < FOUND_COVER) misses.firstStage++;
    else misses.later++;
  }
  return {
    firstStageDice: mean(stages.map((s) => s.firstStageDice)),
    ...(refined.length ? { refineOnTruthDice: mean(refined) } : {}),
    misses,
  };
}
