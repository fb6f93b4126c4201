/**
 * `wms predict`: one photo in, a binary mask PNG and an overlay PNG out, both at the photo's
 * displayed resolution.
 */
import type * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { writeFileAtomic } from '@wms/core';
import { readRgbOriginal, readRgbResized } from './image-io';
import type { ProbabilityMap } from './metrics';
import {
  asSegmenter,
  disposeSegmenter,
  loadSegmenter,
  firstStageProbabilities,
  refineSource,
  segmentToMask,
  type Segmenter,
} from './segmenter';
import { modelInputSize } from './unet';
import { ensureBackend } from './use-backend';

export interface PredictionSummary {
  width: number;
  height: number;
  /** Share of pixels predicted as foreground. */
  foreground: number;
}

/** Tints predicted pixels red at 50% so the mask can be checked against the photo. */
export function overlayMask(rgb: Uint8Array, mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb);
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 0) continue;
    out[i * 3] = Math.round(((rgb[i * 3] ?? 0) + 255) / 2);
    out[i * 3 + 1] = Math.round((rgb[i * 3 + 1] ?? 0) / 2);
    out[i * 3 + 2] = Math.round((rgb[i * 3 + 2] ?? 0) / 2);
  }
  return out;
}

export async function predictWithModel(
  model: tf.LayersModel | Segmenter,
  imagePath: string,
): Promise<{ mask: Uint8Array; original: Awaited<ReturnType<typeof readRgbOriginal>> }> {
  const segmenter = asSegmenter(model);
  const size = modelInputSize(segmenter.model);
  const [input, original] = await Promise.all([readRgbResized(imagePath, size), readRgbOriginal(imagePath)]);
  const [map] = await firstStageProbabilities(segmenter, [input]);
  const mask = await segmentToMask(
    segmenter,
    map as ProbabilityMap,
    original.width,
    original.height,
    refineSource(segmenter, imagePath),
  );
  return { mask, original };
}

export async function predictToFiles(
  modelDir: string,
  imagePath: string,
  outMaskPng: string,
  outOverlayPng: string,
): Promise<PredictionSummary> {
  await ensureBackend();
  const segmenter = await loadSegmenter(modelDir);
  try {
    const { mask, original } = await predictWithModel(segmenter, imagePath);
    const { width, height } = original;
    const maskPixels = Buffer.from(mask.map((v) => v * 255));
    const maskPng = await sharp(maskPixels, { raw: { width, height, channels: 1 } })
      .png()
      .toBuffer();
    const overlay = overlayMask(original.data, mask);
    const overlayPng = await sharp(Buffer.from(overlay), { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer();
    await writeFileAtomic(outMaskPng, maskPng);
    await writeFileAtomic(outOverlayPng, overlayPng);
    const foreground = mask.reduce((s, v) => s + v, 0) / mask.length;
    return { width, height, foreground };
  } finally {
    disposeSegmenter(segmenter);
  }
}
