/** Decoding and sample sources for training the refine network (crops.ts). */
import { mapConcurrent, type Progress } from '@wms/core';
import type { Pair } from '@wms/dataset';
import type { RefineConfig } from '../config';
import { readMaskSized, readRgbFit } from '../image-io';
import { createRandom, deriveSeed } from '../random';
import { maskBounds, refineCrop, type RefineSource } from './crops';
import type { CachedSample } from '../samples';
import type { SampleSource } from '../train-loop';

export async function loadRefineSources(
  pairs: readonly Pair[],
  sourceSize: number,
  progress?: Progress,
): Promise<RefineSource[]> {
  progress?.start(pairs.length, `decoding ${pairs.length} pairs at ${sourceSize}px for the refine network`);
  const sources = await mapConcurrent(pairs, 4, async (pair) => {
    const image = await readRgbFit(pair.image, sourceSize);
    const mask = await readMaskSized(pair.mask, image.width, image.height);
    progress?.tick(1);
    return { id: pair.id, image, mask, bounds: maskBounds(mask.data, mask.width, mask.height) };
  });
  progress?.stop();
  return sources;
}

/** Fresh jittered crops every epoch, one seed per (epoch, pair). */
export function jitteredCrops(sources: readonly RefineSource[], cfg: RefineConfig, seed: number): SampleSource {
  return {
    count: sources.length,
    get: (index, epoch) =>
      refineCrop(sources[index]!, cfg, cfg.input_size, {
        amount: cfg.jitter,
        random: createRandom(deriveSeed(seed, epoch, index)),
      }),
  };
}

/** Validation crops: centred on the true region, no jitter. */
export function centredCrops(sources: readonly RefineSource[], cfg: RefineConfig): CachedSample[] {
  return sources.map((s) => ({ id: s.id, ...refineCrop(s, cfg, cfg.input_size) }));
}

/** Mean foreground share of some samples' masks. */
export function meanForeground(samples: readonly { mask: { data: Uint8Array } }[]): number {
  let on = 0;
  let all = 0;
  for (const s of samples) {
    for (const v of s.mask.data) on += v;
    all += s.mask.data.length;
  }
  return all === 0 ? 0 : on / all;
}
