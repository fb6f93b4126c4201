/**
 * A Segmenter is what a saved model directory holds: the first network, its inference spec
 * (threshold, post-processing) and, when trained, the refine network. `segmentToMask` is the one
 * path from a photo to its 0/1 mask at the photo's resolution, shared by `evaluate` (hence the
 * quality gate) and `wms predict`.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readRgbFit, type RgbImage } from './image-io';
import { DEFAULT_INFERENCE, readInferenceSpec, type InferenceSpec, type TtaMode } from './inference-spec';
import { binarize, type ProbabilityMap } from './metrics';
import { loadModel } from './model-io';
import { componentBoxes } from './postprocess';
import { cropBox, cropImage, maskBounds, pasteProbabilities, scaleBox, type Box } from './refine/crops';
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

/** The image transforms of each TTA mode (`inverse` undoes one: the mirror first, then the transpose). */
const TTA_TRANSFORMS: Record<TtaMode, readonly Transform[]> = {
  none: [{}],
  flips: [{}, { reverse: [2] }, { reverse: [1] }, { reverse: [1, 2] }],
  dihedral: [
    {},
    { reverse: [2] },
    { reverse: [1] },
    { reverse: [1, 2] },
    { transpose: true },
    { transpose: true, reverse: [2] },
    { transpose: true, reverse: [1] },
    { transpose: true, reverse: [1, 2] },
  ],
};

/** Transpose (swap height and width) then mirror: one element of the square's symmetry group. */
interface Transform {
  transpose?: boolean;
  reverse?: number[];
}

function forward(x: tf.Tensor4D, t: Transform): tf.Tensor4D {
  let y = t.transpose ? (tf.transpose(x, [0, 2, 1, 3]) as tf.Tensor4D) : x;
  if (t.reverse) y = tf.reverse(y, t.reverse);
  return y;
}

function inverse(y: tf.Tensor4D, t: Transform): tf.Tensor4D {
  let x = t.reverse ? tf.reverse(y, t.reverse) : y;
  if (t.transpose) x = tf.transpose(x, [0, 2, 1, 3]) as tf.Tensor4D;
  return x;
}

/**
 * Forward pass in inference mode; returns one probability map per image. With test-time
 * augmentation the map is the mean over transformed copies of the image, each prediction
 * transformed back: `flips` (or `true`) the image as is, mirrored left-right, upside down and
 * both (4× the compute); `dihedral` those and their transposes (8×; square inputs only, which a
 * U-Net's input always is here).
 */
export async function predictProbabilities(
  model: tf.LayersModel,
  images: readonly RgbImage[],
  tta: TtaMode | boolean = 'none',
): Promise<ProbabilityMap[]> {
  const mode: TtaMode = tta === true ? 'flips' : tta === false ? 'none' : tta;
  const x = imagesToTensor(images);
  if (mode === 'dihedral' && x.shape[1] !== x.shape[2]) {
    x.dispose();
    throw new Error(`dihedral test-time augmentation needs square inputs, got ${x.shape[2]}×${x.shape[1]}`);
  }
  const transforms = TTA_TRANSFORMS[mode];
  const y = tf.tidy(() => {
    const outputs = transforms.map((t) => inverse(model.predict(forward(x, t)) as tf.Tensor4D, t));
    return outputs.length === 1 ? outputs[0]! : (tf.addN(outputs).div(outputs.length) as tf.Tensor4D);
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

/** The first network's maps as the spec applies it (its test-time augmentation). */
export function firstStageProbabilities(
  segmenter: Pick<Segmenter, 'model' | 'spec'>,
  images: readonly RgbImage[],
): Promise<ProbabilityMap[]> {
  return predictProbabilities(segmenter.model, images, segmenter.spec.tta ?? 'none');
}

/**
 * Refine predictions of one photo, keyed by crop box and TTA: the specs compared at the end of
 * training share most crops, so each is predicted once (`evaluateSpecs` passes one per photo).
 */
export type RefineCache = Map<string, ProbabilityMap>;

/**
 * How confidently a refined crop holds foreground: the mean over the crop of 2·(p − 0.5) where
 * p > 0.5. The refine network learned on crops around a true region (and, with
 * `refine.stage_errors`, on window-sized crops elsewhere with nothing to find), so such a crop
 * comes back with a large, sure region; a stray blob's crop comes back small or unsure.
 */
export function refineConfidence(map: ProbabilityMap): number {
  let sum = 0;
  for (let i = 0; i < map.data.length; i++) {
    const p = map.data[i] ?? 0;
    if (p > 0.5) sum += 2 * (p - 0.5);
  }
  return sum / Math.max(1, map.data.length);
}

/**
 * The final mask at `width` × `height` from the first network's probability map: threshold and
 * post-process; with a refine network, crop the photo (`source`, decoded on demand at
 * `refine.source_size`) around that region, predict the crop, paste it back and post-process
 * again, `refine.passes` times, each pass cropping around the previous pass's mask.
 *
 * - `empty_fallback`: an empty first-stage mask becomes the region around the map's peak
 *   (thresholded at half the peak, its largest component kept), for data where every photo has
 *   foreground; otherwise an empty mask stays empty.
 * - `refine.regions` > 1: the first pass crops around each of the first stage's largest
 *   regions (before keep-largest-component) and keeps the refined crop with the highest
 *   `refineConfidence`; later passes crop around that result.
 */
export async function segmentToMask(
  segmenter: Segmenter,
  firstStage: ProbabilityMap,
  width: number,
  height: number,
  source: () => Promise<RgbImage>,
  cache?: RefineCache,
): Promise<Uint8Array> {
  const { spec, refine } = segmenter;
  let mask = binarize(firstStage, width, height, spec.threshold, spec.postprocess, spec.component_ranker);
  if (spec.empty_fallback && !mask.includes(1)) mask = peakRegion(firstStage, width, height, spec);
  if (!refine || !spec.refine) return mask;
  const refineSpec = spec.refine;
  const passes = refineSpec.passes ?? 1;
  const regionCount = refineSpec.regions ?? 1;
  let photo: RgbImage | undefined;
  const refineAround = async (bounds: Box): Promise<RefinedCrop> => {
    photo ??= await source();
    return refinedAround(refine, refineSpec, photo, bounds, width, height, cache);
  };
  for (let pass = 0; pass < passes; pass++) {
    let regions: Box[];
    if (pass === 0 && regionCount > 1) {
      // The regions before keep-largest-component; without that step they are `mask`'s own.
      const unfiltered = spec.postprocess.keep_largest_component
        ? binarize(firstStage, width, height, spec.threshold, { ...spec.postprocess, keep_largest_component: false })
        : mask;
      regions = componentBoxes(unfiltered.includes(1) ? unfiltered : mask, width, height).slice(0, regionCount);
    } else {
      const bounds = maskBounds(mask, width, height);
      regions = bounds ? [bounds] : [];
    }
    if (regions.length === 0) break;
    let best: RefinedCrop | undefined;
    for (const region of regions) {
      const refined = await refineAround(region);
      if (!best || refined.confidence > best.confidence) best = refined;
    }
    mask = binarize(best!.pasted, width, height, spec.threshold, spec.postprocess);
  }
  return mask;
}

/** A refined crop pasted back into the mask's frame, and how sure the refine network was of it. */
export interface RefinedCrop {
  pasted: ProbabilityMap;
  confidence: number;
}

/**
 * One refine prediction: the crop of `photo` around `bounds` (in the `width` × `height` frame
 * of the mask), predicted by the refine network and pasted back into that frame. `cache` keeps
 * one prediction per distinct crop.
 */
export async function refinedAround(
  refine: tf.LayersModel,
  refineSpec: NonNullable<InferenceSpec['refine']>,
  photo: RgbImage,
  bounds: Box,
  width: number,
  height: number,
  cache?: RefineCache,
): Promise<RefinedCrop> {
  const sx = photo.width / width;
  const sy = photo.height / height;
  const box = cropBox(scaleBox(bounds, sx, sy), photo.width, photo.height, refineSpec);
  const key = `${box.x},${box.y},${box.width},${box.height},${refineSpec.input_size},${refineSpec.tta ?? 'none'}`;
  let map = cache?.get(key);
  if (!map) {
    [map] = (await predictProbabilities(
      refine,
      [cropImage(photo, box, refineSpec.input_size)],
      refineSpec.tta === 'flips',
    )) as [ProbabilityMap];
    cache?.set(key, map);
  }
  return {
    pasted: pasteProbabilities(map, scaleBox(box, 1 / sx, 1 / sy), width, height),
    confidence: refineConfidence(map),
  };
}

/** The fallback region: the map thresholded at half its peak, the largest component kept. */
function peakRegion(map: ProbabilityMap, width: number, height: number, spec: InferenceSpec): Uint8Array {
  let peak = 0;
  for (let i = 0; i < map.data.length; i++) peak = Math.max(peak, map.data[i] ?? 0);
  if (peak <= 0) return new Uint8Array(width * height);
  return binarize(map, width, height, peak / 2, { ...spec.postprocess, keep_largest_component: true });
}
