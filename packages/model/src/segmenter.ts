/**
 * A Segmenter is what a saved model directory holds: the first network, its inference spec
 * (threshold, post-processing) and, when trained, the refine network. `segmentToMask` is the one
 * path from a photo to its 0/1 mask at the photo's resolution, shared by `evaluate` (hence the
 * quality gate) and `wms predict`.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readRgbFit, type RgbImage } from './image-io';
import { DEFAULT_INFERENCE, readInferenceSpec, type InferenceSpec } from './inference-spec';
import { binarize, type ProbabilityMap } from './metrics';
import { loadModel } from './model-io';
import { cropBox, cropImage, maskBounds, pasteProbabilities, scaleBox } from './refine/crops';
import { imagesToTensor } from './samples';

export interface Segmenter {
  model: tf.LayersModel;
  spec: InferenceSpec;
  refine?: tf.LayersModel;
}

export function isSegmenter(value: tf.LayersModel | Segmenter): value is Segmenter {
  return 'spec' in value && 'model' in value && !(value instanceof tf.LayersModel);
}

/** A bare network scores with threshold 0.5 and no post-processing unless told otherwise. */
export function asSegmenter(value: tf.LayersModel | Segmenter, spec: InferenceSpec = DEFAULT_INFERENCE): Segmenter {
  return isSegmenter(value) ? value : { model: value, spec };
}

export async function loadSegmenter(modelDir: string): Promise<Segmenter> {
  const spec = readInferenceSpec(modelDir);
  const model = await loadModel(modelDir);
  if (!spec.refine) return { model, spec };
  try {
    return { model, spec, refine: await loadModel(join(modelDir, spec.refine.dir)) };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

export function disposeSegmenter(segmenter: Segmenter): void {
  segmenter.model.dispose();
  segmenter.refine?.dispose();
}

/**
 * The photo the refine network crops from, decoded only when asked for (a model without a refine
 * network, or an empty first-stage mask, never decodes it); `segmentToMask` asks once per photo.
 */
export function refineSource(segmenter: Segmenter, imagePath: string): () => Promise<RgbImage> {
  return () => readRgbFit(imagePath, segmenter.spec.refine?.source_size ?? 0);
}

/**
 * Forward pass in inference mode; returns one probability map per image. With `flips`, the map
 * is the mean over the image as is, mirrored left-right, upside down and both (each prediction
 * mirrored back): test-time augmentation, 4× the compute.
 */
export async function predictProbabilities(
  model: tf.LayersModel,
  images: readonly RgbImage[],
  flips = false,
): Promise<ProbabilityMap[]> {
  const x = imagesToTensor(images);
  const y = tf.tidy(() => {
    const plain = model.predict(x) as tf.Tensor4D;
    if (!flips) return plain;
    const mirrored = [[2], [1], [1, 2]].map((axes) =>
      tf.reverse(model.predict(tf.reverse(x, axes)) as tf.Tensor4D, axes),
    );
    return tf.addN([plain, ...mirrored]).div(4) as tf.Tensor4D;
  });
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

/**
 * The final mask at `width` × `height` from the first network's probability map: threshold and
 * post-process; with a refine network, crop the photo (`source`, decoded on demand at
 * `refine.source_size`) around that region, predict the crop, paste it back and post-process
 * again, `refine.passes` times, each pass cropping around the previous pass's mask.
 * An empty mask stays empty.
 */
export async function segmentToMask(
  segmenter: Segmenter,
  firstStage: ProbabilityMap,
  width: number,
  height: number,
  source: () => Promise<RgbImage>,
): Promise<Uint8Array> {
  const { spec, refine } = segmenter;
  let mask = binarize(firstStage, width, height, spec.threshold, spec.postprocess);
  if (!refine || !spec.refine) return mask;
  const passes = spec.refine.passes ?? 1;
  let photo: RgbImage | undefined;
  for (let pass = 0; pass < passes; pass++) {
    const bounds = maskBounds(mask, width, height);
    if (!bounds) break;
    photo ??= await source();
    const sx = photo.width / width;
    const sy = photo.height / height;
    const box = cropBox(scaleBox(bounds, sx, sy), photo.width, photo.height, spec.refine);
    const [map] = await predictProbabilities(
      refine,
      [cropImage(photo, box, spec.refine.input_size)],
      spec.refine.tta === 'flips',
    );
    const pasted = pasteProbabilities(map as ProbabilityMap, scaleBox(box, 1 / sx, 1 / sy), width, height);
    mask = binarize(pasted, width, height, spec.threshold, spec.postprocess);
  }
  return mask;
}
