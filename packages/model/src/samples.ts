/**
 * The training cache: every pair decoded once and kept as uint8 at the input size (a quarter of
 * float32), and float tensors built one batch at a time, so memory grows with the batch, not with
 * the dataset.
 */
import * as tf from '@tensorflow/tfjs';
import { mapConcurrent, type Progress } from '@wms/core';
import type { Sample } from './augment';
import type { TensorBatch } from '@wms/tfjs-runtime';
import { readMaskResized, readRgbResized } from './image-io';
import type { Pair } from '@wms/dataset';

export interface CachedSample extends Sample {
  id: string;
}

export async function loadSample(pair: Pair, size: number): Promise<CachedSample> {
  const [image, mask] = await Promise.all([readRgbResized(pair.image, size), readMaskResized(pair.mask, size)]);
  return { id: pair.id, image, mask };
}

export async function loadSamples(
  pairs: readonly Pair[],
  size: number,
  progress?: Progress,
  concurrency = 4,
): Promise<CachedSample[]> {
  progress?.start(pairs.length, `decoding ${pairs.length} pairs at ${size}×${size}`);
  const samples = await mapConcurrent(pairs, concurrency, async (pair) => {
    const sample = await loadSample(pair, size);
    progress?.tick(1);
    return sample;
  });
  progress?.stop();
  return samples;
}

/** Images as float32 NHWC in [0, 1], with their shape. */
export function imagesToArray(images: ReadonlyArray<Sample['image']>): { data: Float32Array; shape: number[] } {
  const first = images[0];
  if (!first) throw new Error('imagesToArray: empty batch');
  const { width, height } = first;
  const data = new Float32Array(images.length * width * height * 3);
  images.forEach((img, b) => {
    const offset = b * width * height * 3;
    for (let i = 0; i < img.data.length; i++) data[offset + i] = (img.data[i] ?? 0) / 255;
  });
  return { data, shape: [images.length, height, width, 3] };
}

/** Masks as float32 NHWC of 0/1, with their shape. */
export function masksToArray(masks: ReadonlyArray<Sample['mask']>): { data: Float32Array; shape: number[] } {
  const first = masks[0];
  if (!first) throw new Error('masksToArray: empty batch');
  const { width, height } = first;
  const data = new Float32Array(masks.length * width * height);
  masks.forEach((m, b) => data.set(m.data, b * width * height));
  return { data, shape: [masks.length, height, width, 1] };
}

export function imagesToTensor(images: ReadonlyArray<Sample['image']>): tf.Tensor4D {
  const { data, shape } = imagesToArray(images);
  return tf.tensor4d(data, shape as [number, number, number, number]);
}

export function masksToTensor(masks: ReadonlyArray<Sample['mask']>): tf.Tensor4D {
  const { data, shape } = masksToArray(masks);
  return tf.tensor4d(data, shape as [number, number, number, number]);
}

/** One training batch as plain arrays (what a step runner or a worker thread takes). */
export function samplesToBatch(samples: readonly Sample[]): TensorBatch {
  const x = imagesToArray(samples.map((s) => s.image));
  const y = masksToArray(samples.map((s) => s.mask));
  return { x: x.data, xShape: x.shape, y: y.data, yShape: y.shape };
}
