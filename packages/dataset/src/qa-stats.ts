/** Dataset-level findings computed from per-pair facts: duplicates, resolutions, coverage. */
import { compareText } from './compare-text';
import type { CoverageStats, QaProblem } from './types';

/** Exact duplicate images (same bytes) under different names; all but the first are unusable. */
export function findDuplicateImages(images: ReadonlyArray<{ id: string; file: string; sha256: string }>): {
  problems: QaProblem[];
  duplicateIds: Set<string>;
} {
  const byHash = new Map<string, Array<{ id: string; file: string }>>();
  for (const image of images) byHash.set(image.sha256, [...(byHash.get(image.sha256) ?? []), image]);
  const problems: QaProblem[] = [];
  const duplicateIds = new Set<string>();
  for (const group of byHash.values()) {
    if (group.length < 2) continue;
    const sorted = [...group].sort((a, b) => compareText(a.id, b.id));
    const files = sorted.map((g) => g.file);
    for (const extra of sorted.slice(1)) duplicateIds.add(extra.id);
    problems.push({
      severity: 'error',
      code: 'duplicate-image',
      message: `${files.join(', ')} are the same image (identical bytes); a copy leaks between training and validation. Keep only ${files[0]}.`,
      files,
    });
  }
  return { problems, duplicateIds };
}

export function resolutionHistogram(sizes: ReadonlyArray<{ width: number; height: number }>): Record<string, number> {
  const counts = new Map<string, number>();
  for (const s of sizes) counts.set(`${s.width}x${s.height}`, (counts.get(`${s.width}x${s.height}`) ?? 0) + 1);
  // Most common first; ties by name, so the JSON is stable.
  const ordered = [...counts.entries()].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]));
  return Object.fromEntries(ordered);
}

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Min/median/max/mean and Tukey outliers (beyond `iqrFactor` IQRs outside the quartiles). */
export function coverageStats(
  items: ReadonlyArray<{ id: string; coverage: number }>,
  iqrFactor: number,
): CoverageStats {
  if (items.length === 0) return { min: null, median: null, max: null, mean: null, outliers: [] };
  const sorted = items.map((i) => i.coverage).sort((a, b) => a - b);
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  const low = q1 - iqrFactor * (q3 - q1);
  const high = q3 + iqrFactor * (q3 - q1);
  return {
    min: sorted[0]!,
    median: quantile(sorted, 0.5),
    max: sorted[sorted.length - 1]!,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    outliers: items
      .filter((i) => i.coverage < low || i.coverage > high)
      .sort((a, b) => compareText(a.id, b.id))
      .map((i) => ({ id: i.id, coverage: i.coverage })),
  };
}
