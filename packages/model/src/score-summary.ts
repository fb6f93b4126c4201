/**
 * What a reader of per-image scores wants next to the mean: the spread, the median, and how many
 * photos were missed (Dice under 0.5: for a meter reader a miss is worse than ten loose edges).
 * Shared by `wms evaluate` (evaluate-folder.ts) and `wms cv` (cross-validation.ts).
 */
import type { ImageScore } from '@wms/core';

/** A photo under this Dice counts as a miss. */
export const MISS_DICE = 0.5;

export interface ScoreSummary {
  count: number;
  mean: { dice: number; iou: number };
  /** Population standard deviation over the photos. */
  std: { dice: number; iou: number };
  median: { dice: number; iou: number };
  min: { dice: number; iou: number };
  /** Photos with Dice < MISS_DICE, and their share of `count`. */
  misses: number;
  missShare: number;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Population standard deviation (0 for one value, NaN for none). */
export function std(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / values.length);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarizeScores(scores: readonly ImageScore[]): ScoreSummary {
  const dice = scores.map((s) => s.dice);
  const iou = scores.map((s) => s.iou);
  const misses = dice.filter((d) => d < MISS_DICE).length;
  return {
    count: scores.length,
    mean: { dice: mean(dice), iou: mean(iou) },
    std: { dice: std(dice), iou: std(iou) },
    median: { dice: median(dice), iou: median(iou) },
    min: { dice: dice.length ? Math.min(...dice) : Number.NaN, iou: iou.length ? Math.min(...iou) : Number.NaN },
    misses,
    missShare: scores.length ? misses / scores.length : Number.NaN,
  };
}

/** The `n` lowest-Dice scores, worst first (ties: by id, so reports are stable). */
export function worstScores<T extends ImageScore>(scores: readonly T[], n: number): T[] {
  return [...scores].sort((a, b) => a.dice - b.dice || a.id.localeCompare(b.id)).slice(0, Math.max(0, n));
}

export function fixed(value: number, digits = 4): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}
