/**
 * `evaluate(model, pairs)`: the one scoring function for training, the quality gate and the CLI.
 * Each image is decoded at the model's input size, predicted, and its probability map resized
 * back to the mask's original resolution before Dice/IoU at threshold 0.5 (see metrics.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { EvaluationResult, ImageScore, Progress } from '@wms/core';
import { readMaskOriginal, readRgbResized } from './image-io';
import { DEFAULT_THRESHOLD, meanScores, scorePrediction, type ProbabilityMap } from './metrics';
import { loadModel } from './model-io';
import type { Pair } from '@wms/dataset';
import { mapConcurrent } from '@wms/core';
import { imagesToTensor } from './samples';
import { modelInputSize } from './unet';
import { ensureBackend } from './use-backend';

export interface EvaluateOptions {
  threshold?: number;
  /** Images per forward pass. */
  batchSize?: number;
  progress?: Progress;
}

/** Forward pass in inference mode; returns one probability map per image. */
export async function predictProbabilities(
  model: tf.LayersModel,
  images: Parameters<typeof imagesToTensor>[0],
): Promise<ProbabilityMap[]> {
  const x = imagesToTensor(images);
  const y = model.predict(x) as tf.Tensor4D;
  const [batch, height, width] = y.shape;
  const data = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  const plane = height * width;
  return Array.from({ length: batch }, (_, b) => ({
    width,
    height,
    data: data.slice(b * plane, (b + 1) * plane),
  }));
}

export async function evaluate(
  model: tf.LayersModel,
  pairs: readonly Pair[],
  opts: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const batchSize = opts.batchSize ?? 4;
  const size = modelInputSize(model);
  const perImage: ImageScore[] = [];
  opts.progress?.start(pairs.length, `evaluating ${pairs.length} images`);
  for (let start = 0; start < pairs.length; start += batchSize) {
    const chunk = pairs.slice(start, start + batchSize);
    const [images, masks] = await Promise.all([
      mapConcurrent(chunk, 4, (p) => readRgbResized(p.image, size)),
      mapConcurrent(chunk, 4, (p) => readMaskOriginal(p.mask)),
    ]);
    const maps = await predictProbabilities(model, images);
    chunk.forEach((pair, i) => {
      perImage.push(scorePrediction(pair.id, maps[i] as ProbabilityMap, masks[i]!, threshold));
    });
    opts.progress?.tick(chunk.length);
  }
  opts.progress?.stop();
  return { perImage, mean: meanScores(perImage), count: perImage.length, threshold };
}

/** Loads a saved model, evaluates it and frees it: what the quality gate calls for each model. */
export async function evaluateModelDir(
  modelDir: string,
  pairs: readonly Pair[],
  opts: EvaluateOptions = {},
): Promise<EvaluationResult> {
  await ensureBackend();
  const model = await loadModel(modelDir);
  try {
    return await evaluate(model, pairs, opts);
  } finally {
    model.dispose();
  }
}
