/**
 * Patch training for the first network (`training.patch_size`): each training sample is a square
 * patch cut from the photo decoded at `model.input_size`, so the network learns at the larger
 * size's resolution while a batch costs what a batch at the patch size costs. The U-Net is fully
 * convolutional, so the weights it learns on patches are applied to the whole photo at
 * `model.input_size` (train-model.ts builds the two shapes from one seed and copies the weights).
 *
 * The foreground is small on the water meters (~2% of the photo), so a share
 * `training.patch_foreground` of the patches is placed over a random foreground pixel (at a
 * random position inside the patch, as nnU-Net oversamples foreground); the rest are placed
 * uniformly and teach the network what the rest of the photo looks like.
 */
import type { Sample } from './augment';
import type { TrainConfig } from './config';
import { createRandom, deriveSeed } from './random';
import type { SampleSource } from './train-loop';

/** The patch side the first network trains on, or undefined when it trains on whole photos. */
export function patchTrainingSize(config: Pick<TrainConfig, 'model' | 'training'>): number | undefined {
  const patch = config.training.patch_size;
  return patch > 0 && patch < config.model.input_size ? patch : undefined;
}

/** Cuts the square (x0, y0, size) out of a sample (image and mask). */
export function cutPatch(sample: Sample, x0: number, y0: number, size: number): Sample {
  const { width, height } = sample.image;
  if (x0 < 0 || y0 < 0 || x0 + size > width || y0 + size > height) {
    throw new Error(`cutPatch: ${size}×${size} at (${x0}, ${y0}) is outside the ${width}×${height} sample`);
  }
  const image = new Uint8Array(size * size * 3);
  const mask = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    const row = (y0 + y) * width + x0;
    image.set(sample.image.data.subarray(row * 3, (row + size) * 3), y * size * 3);
    mask.set(sample.mask.data.subarray(row, row + size), y * size);
  }
  return { image: { width: size, height: size, data: image }, mask: { width: size, height: size, data: mask } };
}

/** Where a patch of `size` goes in a `width`×`height` sample; foreground: the pixel indices it may centre on. */
export function placePatch(
  width: number,
  height: number,
  size: number,
  foreground: readonly number[],
  foregroundShare: number,
  random: () => number,
): { x0: number; y0: number; onForeground: boolean } {
  const maxX = width - size;
  const maxY = height - size;
  const pick = (n: number): number => Math.min(n - 1, Math.floor(random() * n));
  if (foreground.length > 0 && random() < foregroundShare) {
    const pixel = foreground[pick(foreground.length)]!;
    const px = pixel % width;
    const py = Math.floor(pixel / width);
    // The pixel lands anywhere in the patch; the patch stays inside the photo.
    const x0 = Math.max(0, Math.min(maxX, px - pick(size)));
    const y0 = Math.max(0, Math.min(maxY, py - pick(size)));
    return { x0, y0, onForeground: true };
  }
  return { x0: pick(maxX + 1), y0: pick(maxY + 1), onForeground: false };
}

/**
 * Patches of `size` cut fresh every epoch from `samples` (one seed per epoch and sample, so a run
 * repeats exactly). Samples no larger than `size` are passed through whole.
 */
export function patchSamples(
  samples: readonly Sample[],
  size: number,
  foregroundShare: number,
  seed: number,
): SampleSource {
  const foreground: (number[] | undefined)[] = new Array(samples.length);
  const foregroundOf = (index: number): number[] => {
    let pixels = foreground[index];
    if (!pixels) {
      pixels = [];
      const data = samples[index]!.mask.data;
      for (let i = 0; i < data.length; i++) if (data[i]) pixels.push(i);
      foreground[index] = pixels;
    }
    return pixels;
  };
  return {
    count: samples.length,
    get: (index, epoch) => {
      const sample = samples[index]!;
      const { width, height } = sample.image;
      if (width <= size && height <= size) return sample;
      const random = createRandom(deriveSeed(seed, 0x9a7c, epoch, index));
      const { x0, y0 } = placePatch(width, height, size, foregroundOf(index), foregroundShare, random);
      return cutPatch(sample, x0, y0, size);
    },
  };
}
