/**
 * Fits the first stage's component ranker (component-ranker.ts) on the training pairs. On the
 * photos it learned from, the first network seldom makes the mistake the ranker is for (on the
 * water meters keep-largest was right on every training photo with two regions), so each photo
 * is also shown as the harder views the held-out misses look like: zoomed out (a small meter far
 * away) and turned by ±35° (past the 25° of training's augmentation). Each view is predicted
 * by the trained first network at its input size without test-time augmentation and
 * thresholded; every view with two or more regions, one of them on its mask, is one example.
 * Validation pairs play no part: they decide afterwards whether the ranker is used
 * (choose-inference.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import { mapConcurrent, type Logger } from '@wms/core';
import type { Pair } from '@wms/dataset';
import { applyAugmentation, IDENTITY_PLAN, type AugmentationPlan } from './augment';
import {
  fitComponentRanker,
  rankerAccuracy,
  rankerExample,
  type ComponentRanker,
  type RankerExample,
} from './component-ranker';
import { binarize } from './metrics';
import { loadSample } from './samples';
import { predictProbabilities } from './segmenter';
import { modelInputSize } from './unet';

/** The views of each training photo the ranker learns from. */
export const RANKER_VIEWS: Readonly<Record<string, AugmentationPlan>> = Object.freeze({
  photo: IDENTITY_PLAN,
  'zoomed out 0.6×': { ...IDENTITY_PLAN, scale: 0.6 },
  'turned +35°': { ...IDENTITY_PLAN, angle: (35 * Math.PI) / 180 },
  'turned −35°': { ...IDENTITY_PLAN, angle: (-35 * Math.PI) / 180 },
});

export interface FittedRanker {
  /** Undefined when too few views had a choice to teach. */
  ranker?: ComponentRanker;
  photos: number;
  /** Views (photos × RANKER_VIEWS) with at least two regions, one on the mask. */
  examples: number;
  /** Of those, the share the ranker (and keep-largest) puts the mask's region first. */
  accuracy: number;
  largestAccuracy: number;
}

export async function fitRankerOnPairs(
  model: tf.LayersModel,
  pairs: readonly Pair[],
  logger: Logger,
  batchSize = 8,
): Promise<FittedRanker> {
  const size = modelInputSize(model);
  const examples: RankerExample[] = [];
  for (let start = 0; start < pairs.length; start += batchSize) {
    const samples = await mapConcurrent(pairs.slice(start, start + batchSize), 4, (p) => loadSample(p, size));
    const views = samples.flatMap((s) => Object.values(RANKER_VIEWS).map((plan) => applyAugmentation(s, plan)));
    const maps = await predictProbabilities(
      model,
      views.map((v) => v.image),
    );
    for (const [i, view] of views.entries()) {
      const map = maps[i]!;
      const mask = binarize(map, map.width, map.height);
      const example = rankerExample(mask, map.data, view.mask.data, map.width, map.height);
      if (example) examples.push(example);
    }
  }
  const ranker = fitComponentRanker(examples);
  const fitted: FittedRanker = {
    ...(ranker ? { ranker } : {}),
    photos: pairs.length,
    examples: examples.length,
    accuracy: rankerAccuracy(ranker, examples),
    largestAccuracy: rankerAccuracy(undefined, examples),
  };
  const viewCount = Object.keys(RANKER_VIEWS).length;
  logger.info(
    `component ranker: ${examples.length} of ${pairs.length * viewCount} training views (${pairs.length} photos × ` +
      `${Object.keys(RANKER_VIEWS).join(', ')}) have two or more regions, one on the mask` +
      (ranker
        ? `; the ranker puts that region first in ${(100 * fitted.accuracy).toFixed(0)}% of them, keep-largest in ` +
          `${(100 * fitted.largestAccuracy).toFixed(0)}%`
        : ': too few to fit a ranker, keep-largest stays'),
  );
  return fitted;
}
