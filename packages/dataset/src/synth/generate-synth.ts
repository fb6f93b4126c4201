/**
 * Writes a deterministic synthetic dataset: <outDir>/images/<id>.jpg (RGB photos) and
 * <outDir>/masks/<id>.png (0/255 masks). Kind `meters`: water-meter photos, the mask is the digit
 * window (one small object, 2.5–8% of the photo). Kind `cells`: many touching cells with thin
 * membranes between them, most of the image foreground (cell-scene.ts). Each item has its own seed
 * derived from (seed, index), so items can render in parallel and stay byte-identical.
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { mapConcurrent, noProgress, UserError, writeFileAtomic, type Progress } from '@wms/core';
import type { Pair } from '../types';
import { buildCellScene } from './cell-scene';
import { buildMeterScene } from './meter-scene';
import { createRandom, deriveSeed, type Random } from './random';
import { rasterizeWindowMask } from './window-mask';

export const SYNTH_KINDS = ['meters', 'cells'] as const;
export type SynthKind = (typeof SYNTH_KINDS)[number];

export interface SynthOptions {
  outDir: string;
  /** What the pairs show (default `meters`). */
  kind?: SynthKind;
  count: number;
  width?: number;
  height?: number;
  seed?: number;
  progress?: Progress;
  /** Items rendered at once; sharp adds its own threads per item. Default: cores + 1. */
  concurrency?: number;
}

export const SYNTH_DEFAULTS = { width: 512, height: 384, seed: 1 } as const;

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UserError(`generateSynthDataset: ${name} is ${value}; expected an integer from ${min} to ${max}.`);
  }
}

/**
 * Applies the exposure change and sensor noise in place: one pass over the rendered pixels.
 * Noise is luma-only and triangular (sum of two uniform bytes), cheap and close enough to a
 * sensor's for a segmentation model.
 */
function exposeAndAddNoise(pixels: Buffer, random: Random, brightness: number, amplitude: number): void {
  const scale = amplitude / 255;
  for (let i = 0; i < pixels.length; i += 6) {
    const bits = (random.next() * 4294967296) >>> 0;
    const n0 = ((bits & 0xff) + ((bits >>> 8) & 0xff) - 255) * scale;
    const n1 = (((bits >>> 16) & 0xff) + (bits >>> 24) - 255) * scale;
    for (let c = 0; c < 6 && i + c < pixels.length; c++) {
      const v = pixels[i + c]! * brightness + (c < 3 ? n0 : n1);
      pixels[i + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
}

export function synthId(index: number, count: number, kind: SynthKind = 'meters'): string {
  const prefix = kind === 'cells' ? 'cells' : 'synth';
  return `${prefix}_${String(index + 1).padStart(Math.max(5, String(count).length), '0')}`;
}

/** Renders one pair to encoded bytes (JPEG photo, PNG mask). */
export async function renderSynthPair(
  seed: number,
  index: number,
  width: number,
  height: number,
  kind: SynthKind = 'meters',
): Promise<{ image: Buffer; mask: Buffer }> {
  const random = createRandom(deriveSeed(seed, index));
  if (kind === 'cells') return renderCellPair(random, width, height);
  const scene = buildMeterScene(random, width, height);
  let photo = sharp(Buffer.from(scene.imageSvg)).removeAlpha();
  if (scene.blurSigma >= 0.3) photo = photo.blur(scene.blurSigma);
  const pixels = await photo.raw().toBuffer();
  // Noise goes on after the blur, so it stays sharp like a real sensor's.
  exposeAndAddNoise(pixels, random, scene.brightness, scene.noiseAmplitude);
  const maskPixels = rasterizeWindowMask(scene.window, width, height);
  const [image, mask] = await Promise.all([
    sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: scene.jpegQuality, chromaSubsampling: '4:2:0' })
      .toBuffer(),
    sharp(maskPixels, { raw: { width, height, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toBuffer(),
  ]);
  return { image, mask };
}

async function renderCellPair(random: Random, width: number, height: number): Promise<{ image: Buffer; mask: Buffer }> {
  const scene = buildCellScene(random, width, height);
  const [image, mask] = await Promise.all([
    sharp(scene.image, { raw: { width, height, channels: 3 } })
      .blur(scene.blurSigma)
      .jpeg({ quality: scene.jpegQuality, chromaSubsampling: '4:2:0' })
      .toBuffer(),
    sharp(scene.mask, { raw: { width, height, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toBuffer(),
  ]);
  return { image, mask };
}

export async function generateSynthDataset(opts: SynthOptions): Promise<{ pairs: Pair[] }> {
  const width = opts.width ?? SYNTH_DEFAULTS.width;
  const height = opts.height ?? SYNTH_DEFAULTS.height;
  const seed = opts.seed ?? SYNTH_DEFAULTS.seed;
  checkInteger('count', opts.count, 1, 1_000_000);
  checkInteger('width', width, 32, 8192);
  checkInteger('height', height, 32, 8192);
  checkInteger('seed', seed, 0, 2 ** 32 - 1);
  const kind = opts.kind ?? 'meters';
  if (!(SYNTH_KINDS as readonly string[]).includes(kind)) {
    throw new UserError(
      `generateSynthDataset: kind is ${JSON.stringify(kind)}; expected one of ${SYNTH_KINDS.join(', ')}.`,
    );
  }
  const outDir = resolve(opts.outDir);
  const progress = opts.progress ?? noProgress;
  progress.start(opts.count, `Generating synthetic ${kind} pairs`);
  try {
    const indices = Array.from({ length: opts.count }, (_, index) => index);
    const pairs = await mapConcurrent(
      indices,
      opts.concurrency ?? availableParallelism() + 1,
      async (index): Promise<Pair> => {
        const id = synthId(index, opts.count, kind);
        const pair = { id, image: join(outDir, 'images', `${id}.jpg`), mask: join(outDir, 'masks', `${id}.png`) };
        const rendered = await renderSynthPair(seed, index, width, height, kind);
        await writeFileAtomic(pair.image, rendered.image);
        await writeFileAtomic(pair.mask, rendered.mask);
        progress.tick(1);
        return pair;
      },
    );
    return { pairs };
  } finally {
    progress.stop();
  }
}
