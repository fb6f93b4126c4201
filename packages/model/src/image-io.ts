/**
 * Decoding with sharp, always in the orientation a photo viewer shows (`.rotate()` applies the
 * EXIF tag: 19 of the 100 water-meter photos need it). Images are resized bilinearly, masks with
 * nearest-neighbour then thresholded at 128 (the real masks are JPEG with a little noise).
 */
import sharp from 'sharp';
import { UserError } from '@wms/core';

/** An RGB image at the model's input size, uint8 HWC: 4× smaller than float32 in the cache. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A binary mask, one byte per pixel, 0 or 1. */
export interface BinaryMask {
  width: number;
  height: number;
  data: Uint8Array;
}

export const MASK_THRESHOLD = 128;

async function decode<T>(path: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw new UserError(`Cannot decode ${what} ${path}: ${(error as Error).message}`, {
      hint: 'Check that the file is a readable JPEG or PNG (the data-qa stage reports such files).',
      cause: error,
    });
  }
}

export async function readRgbResized(path: string, size: number): Promise<RgbImage> {
  return decode(path, 'image', async () => {
    const { data, info } = await sharp(path)
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .resize(size, size, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: toRgb(data, info.channels) };
  });
}

/** The image at its displayed (EXIF-rotated) resolution, for overlays. */
export async function readRgbOriginal(path: string): Promise<RgbImage> {
  return decode(path, 'image', async () => {
    const { data, info } = await sharp(path)
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: toRgb(data, info.channels) };
  });
}

/** The image at exactly `width` × `height` (bilinear): a photo drawn under a mask of that size. */
export async function readRgbSized(path: string, width: number, height: number): Promise<RgbImage> {
  return decode(path, 'image', async () => {
    const { data, info } = await sharp(path)
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .resize(width, height, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: toRgb(data, info.channels) };
  });
}

/**
 * The image fitted inside `longSide` × `longSide` (aspect kept, never enlarged): the source the
 * refine stage crops from.
 */
export async function readRgbFit(path: string, longSide: number): Promise<RgbImage> {
  return decode(path, 'image', async () => {
    const { data, info } = await sharp(path)
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .resize(longSide, longSide, { fit: 'inside', withoutEnlargement: true, kernel: 'linear' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: toRgb(data, info.channels) };
  });
}

/** The mask resized to exactly `width` × `height` (nearest-neighbour, then thresholded). */
export async function readMaskSized(path: string, width: number, height: number): Promise<BinaryMask> {
  return decode(path, 'mask', async () => {
    const { data, info } = await sharp(path)
      .rotate()
      .greyscale()
      .resize(width, height, { fit: 'fill', kernel: 'nearest' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: thresholdChannel0(data, info.channels) };
  });
}

export async function readMaskResized(path: string, size: number): Promise<BinaryMask> {
  return decode(path, 'mask', async () => {
    const { data, info } = await sharp(path)
      .rotate()
      .greyscale()
      .resize(size, size, { fit: 'fill', kernel: 'nearest' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: thresholdChannel0(data, info.channels) };
  });
}

/** The mask at its own resolution: what metrics are computed against. */
export async function readMaskOriginal(path: string): Promise<BinaryMask> {
  return decode(path, 'mask', async () => {
    const { data, info } = await sharp(path).rotate().greyscale().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: thresholdChannel0(data, info.channels) };
  });
}

function toRgb(data: Buffer, channels: number): Uint8Array {
  if (channels === 3) return new Uint8Array(data.buffer, data.byteOffset, data.length);
  const pixels = data.length / channels;
  const out = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    for (let c = 0; c < 3; c++) out[i * 3 + c] = data[i * channels + Math.min(c, channels - 1)] ?? 0;
  }
  return out;
}

function thresholdChannel0(data: Buffer, channels: number): Uint8Array {
  const pixels = data.length / channels;
  const out = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) out[i] = (data[i * channels] ?? 0) >= MASK_THRESHOLD ? 1 : 0;
  return out;
}
