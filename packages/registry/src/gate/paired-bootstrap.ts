import { mulberry32, type ImageScore } from '@wms/core';

export interface BootstrapResult {
  /** Images scored by both models (the pairing). */
  pairedImages: number;
  meanDiceDelta: number;
  /** One-sided lower confidence bound of the mean per-image Dice gain. */
  lowerBound: number;
  confidence: number;
  samples: number;
  /** Share of resamples whose mean gain is <= 0 (a one-sided bootstrap p-value). */
  pValue: number;
  significant: boolean;
}

/** Seeded, so the same scores always give the same verdict. */
export const seededRandom: (seed: number) => () => number = mulberry32;

/**
 * Paired bootstrap over per-image Dice: resample images with replacement, keeping each image's
 * candidate and champion scores together, and ask whether the mean gain stays above zero in
 * `confidence` of the resamples. Pairing removes the image-difficulty variance that an
 * unpaired comparison of two means would leave in.
 */
export function pairedBootstrapDice(
  candidate: readonly ImageScore[],
  baseline: readonly ImageScore[],
  options: { confidence: number; samples: number; seed: number },
): BootstrapResult {
  const baseById = new Map(baseline.map((s) => [s.id, s.dice]));
  const diffs: number[] = [];
  for (const c of candidate) {
    const b = baseById.get(c.id);
    if (b !== undefined) diffs.push(c.dice - b);
  }
  const n = diffs.length;
  const meanDiceDelta = n === 0 ? 0 : diffs.reduce((s, d) => s + d, 0) / n;
  if (n < 2) {
    return {
      pairedImages: n,
      meanDiceDelta,
      lowerBound: Number.NEGATIVE_INFINITY,
      confidence: options.confidence,
      samples: 0,
      pValue: 1,
      significant: false,
    };
  }
  const random = seededRandom(options.seed);
  const means = new Float64Array(options.samples);
  let atOrBelowZero = 0;
  for (let s = 0; s < options.samples; s++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += diffs[Math.floor(random() * n)]!;
    means[s] = sum / n;
    if (means[s]! <= 0) atOrBelowZero++;
  }
  means.sort();
  const index = Math.min(options.samples - 1, Math.max(0, Math.floor((1 - options.confidence) * options.samples)));
  const lowerBound = means[index]!;
  return {
    pairedImages: n,
    meanDiceDelta,
    lowerBound,
    confidence: options.confidence,
    samples: options.samples,
    pValue: atOrBelowZero / options.samples,
    significant: lowerBound > 0,
  };
}
