/**
 * `evaluate(model, pairs)`: the one scoring function for training, the quality gate and the CLI.
 * Each image is decoded at the model's input size and predicted; the prediction becomes a mask at
 * the truth's ORIGINAL resolution (`segmentToMask`: resize back, threshold, post-process, refine)
 * before Dice/IoU (see metrics.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import type { EvaluationResult, ImageScore, Progress } from '@wms/core';
import { mapConcurrent } from '@wms/core';
import type { Pair } from '@wms/dataset';
import { readMaskOriginal, readRgbResized, type BinaryMask } from './image-io';
import { diceAndIou, meanScores, overlapOfMasks, type ProbabilityMap } from './metrics';
import type { PostprocessSpec } from './postprocess';
import {
  asSegmenter,
  disposeSegmenter,
  loadSegmenter,
  predictProbabilities,
  refineSource,
  segmentToMask,
  type Segmenter,
} from './segmenter';
import { modelInputSize } from './unet';
import { ensureBackend } from './use-backend';

export interface EvaluateOptions {
  /** Overrides the segmenter's threshold (a bare network: 0.5). */
  threshold?: number;
  /** Overrides the segmenter's post-processing (a bare network: none). */
  postprocess?: PostprocessSpec;
  /** Images per forward pass. */
  batchSize?: number;
  progress?: Progress;
  /**
   * Called with each image's final mask and its truth (both at the truth's resolution), e.g. to
   * draw overlays of the worst photos; the arrays are not kept by `evaluate`.
   */
  onImage?: (image: ScoredImage) => void;
}

export interface ScoredImage {
  pair: Pair;
  score: ImageScore;
  predicted: Uint8Array;
  truth: BinaryMask;
}

export async function evaluate(
  model: tf.LayersModel | Segmenter,
  pairs: readonly Pair[],
  opts: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const base = asSegmenter(model);
  const segmenter: Segmenter = {
    ...base,
    spec: {
      ...base.spec,
      threshold: opts.threshold ?? base.spec.threshold,
      postprocess: opts.postprocess ?? base.spec.postprocess,
    },
  };
  const batchSize = opts.batchSize ?? 4;
  const size = modelInputSize(segmenter.model);
  const perImage: ImageScore[] = [];
  opts.progress?.start(pairs.length, `evaluating ${pairs.length} images`);
  for (let start = 0; start < pairs.length; start += batchSize) {
    const chunk = pairs.slice(start, start + batchSize);
    const [images, masks] = await Promise.all([
      mapConcurrent(chunk, 4, (p) => readRgbResized(p.image, size)),
      mapConcurrent(chunk, 4, (p) => readMaskOriginal(p.mask)),
    ]);
    const maps = await predictProbabilities(segmenter.model, images);
    for (const [i, pair] of chunk.entries()) {
      const truth = masks[i]!;
      const predicted = await segmentToMask(
        segmenter,
        maps[i] as ProbabilityMap,
        truth.width,
        truth.height,
        refineSource(segmenter, pair.image),
      );
      const score = { id: pair.id, ...diceAndIou(overlapOfMasks(predicted, truth)) };
      perImage.push(score);
      opts.onImage?.({ pair, score, predicted, truth });
    }
    opts.progress?.tick(chunk.length);
  }
  opts.progress?.stop();
  return { perImage, mean: meanScores(perImage), count: perImage.length, threshold: segmenter.spec.threshold };
}

/**
 * Loads a saved model directory (networks + inference.json), evaluates it as it will be served
 * and frees it: what the quality gate calls for each model.
 */
export async function evaluateModelDir(
  modelDir: string,
  pairs: readonly Pair[],
  opts: EvaluateOptions = {},
): Promise<EvaluationResult> {
  await ensureBackend();
  const segmenter = await loadSegmenter(modelDir);
  try {
    return await evaluate(segmenter, pairs, opts);
  } finally {
    disposeSegmenter(segmenter);
  }
}
