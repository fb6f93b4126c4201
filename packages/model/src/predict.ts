/**
 * `wms predict`: one photo in, a binary mask PNG and an overlay PNG out, both at the photo's
 * displayed resolution.
 */
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { writeFileAtomic } from '@wms/core';
import { predictProbabilities } from './evaluate';
import { readRgbOriginal, readRgbResized } from './image-io';
import { DEFAULT_THRESHOLD, resizeBilinear, type ProbabilityMap } from './metrics';
import { loadModel } from './model-io';
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
  model: tf.LayersModel,
  imagePath: string,
  threshold = DEFAULT_THRESHOLD,
): Promise<{ mask: Uint8Array; original: Awaited<ReturnType<typeof readRgbOriginal>> }> {
  const size = modelInputSize(model);
  const [input, original] = await Promise.all([readRgbResized(imagePath, size), readRgbOriginal(imagePath)]);
  const [map] = await predictProbabilities(model, [input]);
  const resized = resizeBilinear(map as ProbabilityMap, original.width, original.height);
  const mask = new Uint8Array(resized.data.length);
  for (let i = 0; i < mask.length; i++) mask[i] = (resized.data[i] ?? 0) >= threshold ? 1 : 0;
  return { mask, original };
}

export async function predictToFiles(
  modelDir: string,
  imagePath: string,
  outMaskPng: string,
  outOverlayPng: string,
): Promise<PredictionSummary> {
  await ensureBackend();
  const model = await loadModel(modelDir);
  try {
    const { mask, original } = await predictWithModel(model, imagePath);
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
    model.dispose();
  }
}
