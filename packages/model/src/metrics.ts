/**
 * Dice and IoU of one prediction against its mask at the mask's ORIGINAL resolution: the
 * probability map (at the model's input size) is resized back bilinearly, then thresholded. So
 * models trained at different input sizes are scored on the same pixels and compare fairly.
 *
 * Empty prediction vs empty mask scores Dice = IoU = 1 (the model correctly found nothing);
 * a prediction on an empty mask, or none on a non-empty one, scores 0.
 */
import type { ImageScore } from '@wms/core';
import { keepRankedComponent, type ComponentRanker } from './component-ranker';
import type { BinaryMask } from './image-io';
import { applyPostprocess, NO_POSTPROCESS, type PostprocessSpec } from './postprocess';

export const DEFAULT_THRESHOLD = 0.5;

/** A single-channel float map, row-major. */
export interface ProbabilityMap {
  width: number;
  height: number;
  data: Float32Array;
}

/**
 * Bilinear resize with half-pixel centres (the convention of sharp, PIL and
 * `F.interpolate(align_corners=False)`), edge-clamped.
 */
export function resizeBilinear(map: ProbabilityMap, width: number, height: number): ProbabilityMap {
  if (map.width === width && map.height === height) return map;
  const out = new Float32Array(width * height);
  const scaleX = map.width / width;
  const scaleY = map.height / height;
  const xs = new Int32Array(width * 2);
  const axs = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const sx = Math.max(0, (x + 0.5) * scaleX - 0.5);
    const x0 = Math.min(map.width - 1, Math.floor(sx));
    xs[x * 2] = x0;
    xs[x * 2 + 1] = Math.min(map.width - 1, x0 + 1);
    axs[x] = sx - x0;
  }
  for (let y = 0; y < height; y++) {
    const sy = Math.max(0, (y + 0.5) * scaleY - 0.5);
    const y0 = Math.min(map.height - 1, Math.floor(sy));
    const y1 = Math.min(map.height - 1, y0 + 1);
    const ay = sy - y0;
    const r0 = y0 * map.width;
    const r1 = y1 * map.width;
    for (let x = 0; x < width; x++) {
      const x0 = xs[x * 2] ?? 0;
      const x1 = xs[x * 2 + 1] ?? 0;
      const ax = axs[x] ?? 0;
      const top = (map.data[r0 + x0] ?? 0) * (1 - ax) + (map.data[r0 + x1] ?? 0) * ax;
      const bottom = (map.data[r1 + x0] ?? 0) * (1 - ax) + (map.data[r1 + x1] ?? 0) * ax;
      out[y * width + x] = top * (1 - ay) + bottom * ay;
    }
  }
  return { width, height, data: out };
}

export interface Overlap {
  intersection: number;
  predicted: number;
  truth: number;
}

/**
 * The predicted 0/1 mask at the truth's resolution: the probability map resized back, thresholded,
 * then post-processed at that resolution (so the spec acts on the pixels that are scored). With
 * `ranker`, keep-largest-component keeps the region the ranker scores highest instead.
 */
export function binarize(
  prediction: ProbabilityMap,
  width: number,
  height: number,
  threshold = DEFAULT_THRESHOLD,
  postprocess: PostprocessSpec = NO_POSTPROCESS,
  ranker?: ComponentRanker,
): Uint8Array {
  const resized = resizeBilinear(prediction, width, height);
  let mask: Uint8Array = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = (resized.data[i] ?? 0) >= threshold ? 1 : 0;
  if (ranker && postprocess.keep_largest_component) {
    // The ranker's region instead of the largest (component-ranker.ts), from the same pixels.
    mask = keepRankedComponent(mask, resized.data, width, height, ranker);
    return applyPostprocess(mask, width, height, { ...postprocess, keep_largest_component: false });
  }
  return applyPostprocess(mask, width, height, postprocess);
}

export function countOverlap(
  prediction: ProbabilityMap,
  truth: BinaryMask,
  threshold = DEFAULT_THRESHOLD,
  postprocess: PostprocessSpec = NO_POSTPROCESS,
): Overlap {
  return overlapOfMasks(binarize(prediction, truth.width, truth.height, threshold, postprocess), truth);
}

/** Overlap of a 0/1 prediction with the truth at the same resolution. */
export function overlapOfMasks(predicted: Uint8Array, truth: BinaryMask): Overlap {
  if (predicted.length !== truth.data.length) {
    throw new Error(`prediction has ${predicted.length} pixels, the mask ${truth.width}×${truth.height}`);
  }
  let intersection = 0;
  let count = 0;
  let positives = 0;
  for (let i = 0; i < truth.data.length; i++) {
    const p = predicted[i] === 1;
    const t = truth.data[i] === 1;
    if (p) count++;
    if (t) positives++;
    if (p && t) intersection++;
  }
  return { intersection, predicted: count, truth: positives };
}

export function diceAndIou(overlap: Overlap): { dice: number; iou: number } {
  const { intersection, predicted, truth } = overlap;
  if (predicted === 0 && truth === 0) return { dice: 1, iou: 1 };
  const union = predicted + truth - intersection;
  return { dice: (2 * intersection) / (predicted + truth), iou: intersection / union };
}

export function scorePrediction(
  id: string,
  prediction: ProbabilityMap,
  truth: BinaryMask,
  threshold = DEFAULT_THRESHOLD,
  postprocess: PostprocessSpec = NO_POSTPROCESS,
): ImageScore {
  return { id, ...diceAndIou(countOverlap(prediction, truth, threshold, postprocess)) };
}

export function meanScores(scores: readonly ImageScore[]): { dice: number; iou: number } {
  if (scores.length === 0) return { dice: Number.NaN, iou: Number.NaN };
  const sum = scores.reduce((acc, s) => ({ dice: acc.dice + s.dice, iou: acc.iou + s.iou }), { dice: 0, iou: 0 });
  return { dice: sum.dice / scores.length, iou: sum.iou / scores.length };
}
