/**
 * data-qa: discovers pairs, inspects them with bounded concurrency (sharp decodes on libuv's
 * threads, so both cores work while memory stays flat: only small facts are kept per pair),
 * then adds dataset-level findings, logs one line per bad file and writes the reports.
 */
import { resolve } from 'node:path';
import sharp from 'sharp';
import { mapConcurrent, noProgress, type Logger, type Progress } from '@wms/core';
import { compareText } from './compare-text';
import { discoverPairs, relativeToRoot } from './discover-pairs';
import { inspectPair, type PairResult } from './inspect-pair';
import { logProblemsByFile } from './qa-log';
import { resolveQaOptions } from './qa-options';
import { writeQaReports } from './qa-report-files';
import { coverageStats, findDuplicateImages, resolutionHistogram } from './qa-stats';
import { QA_SCHEMA_VERSION, type QaOptions, type QaProblem, type QaReport } from './types';

export async function validateDataset(
  opts: QaOptions,
  deps: { logger: Logger; progress?: Progress },
): Promise<QaReport> {
  const options = resolveQaOptions(opts);
  const progress = deps.progress ?? noProgress;
  // Decoded images are never reused, so caching them would only grow memory.
  sharp.cache(false);
  const discovered = await discoverPairs(opts);
  const root = resolve(opts.root);
  const rel = (p: string): string => relativeToRoot(root, p);

  progress.start(discovered.pairs.length, 'Checking image/mask pairs');
  let results: PairResult[];
  try {
    results = await mapConcurrent(discovered.pairs, options.concurrency, async (pair) => {
      const result = await inspectPair(pair, { image: rel(pair.image), mask: rel(pair.mask) }, options);
      progress.tick(1, result.problems.length > 0 ? `${pair.id}: ${result.problems[0]!.code}` : undefined);
      return result;
    });
  } finally {
    progress.stop();
  }

  const problems: QaProblem[] = [...discovered.problems, ...results.flatMap((r) => r.problems)];
  if (discovered.pairs.length === 0) {
    const folders = [discovered.imagesDir, discovered.masksDir].map(rel);
    problems.push({
      severity: 'error',
      code: 'no-pairs',
      message: `No image/mask pair found in ${folders.join(' and ')}; training needs at least one.`,
      files: folders,
    });
  }
  const duplicates = findDuplicateImages(
    results.flatMap((r) => (r.image ? [{ id: r.pair.id, file: r.files.image, sha256: r.image.sha256 }] : [])),
  );
  problems.push(...duplicates.problems);

  const usable = results.filter(
    (r) => !duplicates.duplicateIds.has(r.pair.id) && !r.problems.some((p) => p.severity === 'error'),
  );
  const maskFormats: Record<string, number> = {};
  for (const r of results) if (r.maskFormat) maskFormats[r.maskFormat] = (maskFormats[r.maskFormat] ?? 0) + 1;
  const errors = problems.filter((p) => p.severity === 'error').length;
  const report: QaReport = {
    schemaVersion: QA_SCHEMA_VERSION,
    valid: errors === 0,
    root,
    imagesDir: rel(discovered.imagesDir),
    masksDir: rel(discovered.masksDir),
    counts: {
      images: discovered.counts.images,
      masks: discovered.counts.masks,
      candidatePairs: discovered.pairs.length,
      validPairs: usable.length,
      errors,
      warnings: problems.length - errors,
    },
    pairs: usable.map((r) => r.pair),
    problems: sortProblems(problems),
    stats: {
      resolutions: resolutionHistogram(results.flatMap((r) => (r.image ? [r.image] : []))),
      coverage: coverageStats(
        usable.flatMap((r) => (r.coverage === undefined ? [] : [{ id: r.pair.id, coverage: r.coverage }])),
        options.outlierIqrFactor,
      ),
      exifOriented: results.filter((r) => (r.image?.orientation ?? 1) > 1).length,
      maskFormats,
    },
    options: {
      resolution: options.resolution,
      maskTolerance: options.maskTolerance,
      maxAmbiguousFraction: options.maxAmbiguousFraction,
      emptyMask: options.emptyMask,
      fullMask: options.fullMask,
      maxPixels: options.maxPixels,
    },
  };
  logProblemsByFile(report, deps.logger, opts.annotationBase);
  if (opts.reportDir) await writeQaReports(report, opts.reportDir);
  return report;
}

/** Errors first, then by code and file, so two runs over the same data give the same JSON. */
function sortProblems(problems: QaProblem[]): QaProblem[] {
  const rank = (p: QaProblem): number => (p.severity === 'error' ? 0 : 1);
  return [...problems].sort(
    (a, b) => rank(a) - rank(b) || compareText(a.code, b.code) || compareText(a.files[0] ?? '', b.files[0] ?? ''),
  );
}
