/** Decoding and sample sources for training the refine network (crops.ts). */
import { mapConcurrent, type Progress } from '@wms/core';
import type { Pair } from '@wms/dataset';
import type { RefineConfig } from '../config';
import { readMaskSized, readRgbFit } from '../image-io';
import { createRandom, deriveSeed } from '../random';
import { drawStageError, maskBounds, refineCrop, type RefineSource, type StageErrorKind } from './crops';
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

/**
 * Fresh jittered crops every epoch, one seed per (epoch, pair); a share `refine.stage_errors` of
 * them is cut around an imitated first-stage mistake instead of the true region (crops.ts).
 */
export function jitteredCrops(sources: readonly RefineSource[], cfg: RefineConfig, seed: number): SampleSource {
  return {
    count: sources.length,
    get: (index, epoch) => {
      const random = createRandom(deriveSeed(seed, epoch, index));
      const kind = drawStageError(cfg.stage_errors, random);
      return refineCrop(
        sources[index]!,
        cfg,
        cfg.input_size,
        { amount: cfg.jitter, random },
        kind ? { kind, random } : undefined,
      );
    },
  };
}

/**
 * Validation crops: centred on the true region, no jitter; with `refine.stage_errors`, also one
 * crop per pair around a fixed imitated mistake (partial and loose in turn; `elsewhere` has
 * nothing to score), so early stopping watches the crops inference will actually see.
 */
export function centredCrops(sources: readonly RefineSource[], cfg: RefineConfig, seed = 0): CachedSample[] {
  const centred = sources.map((s) => ({ id: s.id, ...refineCrop(s, cfg, cfg.input_size) }));
  if (cfg.stage_errors <= 0) return centred;
  const imitated = sources
    .filter((s) => s.bounds)
    .map((s, i) => {
      const kind: StageErrorKind = i % 2 === 0 ? 'partial' : 'loose';
      const random = createRandom(deriveSeed(seed, 1_000_003, i));
      return { id: `${s.id}#${kind}`, ...refineCrop(s, cfg, cfg.input_size, undefined, { kind, random }) };
    });
  return [...centred, ...imitated];
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
