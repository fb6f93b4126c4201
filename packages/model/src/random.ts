/** Seeded randomness so augmentation, shuffling and initialisation repeat exactly for one seed. */
import { mulberry32 } from '@wms/core';

export type Random = () => number;

export const createRandom: (seed: number) => Random = mulberry32;

/** Derives an independent seed from a base seed and labels (epoch, sample index…). */
export function deriveSeed(base: number, ...labels: number[]): number {
  let h = (base ^ 0x9e3779b9) >>> 0;
  for (const label of labels) {
    h = Math.imul(h ^ (label >>> 0), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/** Fisher–Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
