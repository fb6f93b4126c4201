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
import { readMaskOriginal, readRgbResized, type BinaryMask, type RgbImage } from './image-io';
import type { InferenceSpec, TtaMode } from './inference-spec';
import { diceAndIou, meanScores, overlapOfMasks, type ProbabilityMap } from './metrics';
import type { PostprocessSpec } from './postprocess';
import {
  asSegmenter,
  disposeSegmenter,
  loadSegmenter,
  predictProbabilities,
  refineSource,
  segmentToMask,
  type RefineCache,
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
  const spec: InferenceSpec = {
    ...base.spec,
    threshold: opts.threshold ?? base.spec.threshold,
    postprocess: opts.postprocess ?? base.spec.postprocess,
  };
  const [result] = await evaluateSpecs(base, [spec], pairs, opts);
  return result!;
}

/**
 * Scores one set of networks under several inference specs (thresholds, post-processing, refine
 * passes) in one pass over the pairs: each photo is decoded and the first network run once, and
 * each spec's result equals what `evaluate` with that spec returns. What choose-inference.ts
 * uses to compare every candidate on validation without decoding the photos again for each.
 */
export async function evaluateSpecs(
  networks: Pick<Segmenter, 'model' | 'refine'>,
  specs: readonly InferenceSpec[],
  pairs: readonly Pair[],
  opts: Pick<EvaluateOptions, 'batchSize' | 'progress' | 'onImage'> = {},
): Promise<EvaluationResult[]> {
  const batchSize = opts.batchSize ?? 4;
  const size = modelInputSize(networks.model);
  const segmenters: Segmenter[] = specs.map((spec) => ({ ...networks, spec }));
  const perImage: ImageScore[][] = specs.map(() => []);
  opts.progress?.start(pairs.length, `evaluating ${pairs.length} images`);
  for (let start = 0; start < pairs.length; start += batchSize) {
    const chunk = pairs.slice(start, start + batchSize);
    const [images, masks] = await Promise.all([
      mapConcurrent(chunk, 4, (p) => readRgbResized(p.image, size)),
      mapConcurrent(chunk, 4, (p) => readMaskOriginal(p.mask)),
    ]);
    // The first network runs once per test-time augmentation the specs use.
    const mapsByTta = new Map<TtaMode, ProbabilityMap[]>();
    for (const tta of new Set(specs.map((spec) => spec.tta ?? 'none'))) {
      mapsByTta.set(tta, await predictProbabilities(networks.model, images, tta));
    }
    for (const [i, pair] of chunk.entries()) {
      const truth = masks[i]!;
      let photo: Promise<RgbImage> | undefined;
      const cache: RefineCache = new Map();
      for (const [s, segmenter] of segmenters.entries()) {
        // One decode per photo for every spec (the refine source does not depend on the spec's passes),
        // and one refine prediction per distinct crop.
        const source = refineSource(segmenter, pair.image);
        const shared = sameSource(segmenter, segmenters);
        const map = mapsByTta.get(segmenter.spec.tta ?? 'none')![i]!;
        const predicted = await segmentToMask(
          segmenter,
          map,
          truth.width,
          truth.height,
          () => (shared ? (photo ??= source()) : source()),
          shared ? cache : undefined,
        );
        const score = { id: pair.id, ...diceAndIou(overlapOfMasks(predicted, truth)) };
        perImage[s]!.push(score);
        if (s === 0) opts.onImage?.({ pair, score, predicted, truth });
      }
    }
    opts.progress?.tick(chunk.length);
  }
  opts.progress?.stop();
  return specs.map((spec, s) => ({
    perImage: perImage[s]!,
    mean: meanScores(perImage[s]!),
    count: perImage[s]!.length,
    threshold: spec.threshold,
  }));
}

/** Whether every spec decodes the refine source at the same size (then one decode serves all). */
function sameSource(segmenter: Segmenter, all: readonly Segmenter[]): boolean {
  const size = segmenter.spec.refine?.source_size;
  return all.every((s) => (s.spec.refine?.source_size ?? size) === size);
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
