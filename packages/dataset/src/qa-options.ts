/** Defaults for data-qa and the checks that reject impossible settings before any file is read. */
import { availableParallelism } from 'node:os';
import { UserError } from '@wms/core';
import type { QaOptions, QaReport, QaSeverity } from './types';

export const DEFAULT_IMAGES_DIR = 'WMS/data/training/images';
export const DEFAULT_MASKS_DIR = 'WMS/data/training/masks';

export const QA_DEFAULTS = {
  minSide: 32,
  maxSide: 10_000,
  maskTolerance: 32,
  maxAmbiguousFraction: 0.01,
  emptyMask: 'warning' as QaSeverity,
  fullMask: 'warning' as QaSeverity,
  // 40 MP: far above any phone photo, far below what would exhaust memory when decoded.
  maxPixels: 40_000_000,
  outlierIqrFactor: 1.5,
};

export type ResolvedQaOptions = QaReport['options'] & {
  concurrency: number;
  outlierIqrFactor: number;
};

function check(ok: boolean, name: string, value: unknown, expected: string): void {
  if (!ok) throw new UserError(`data-qa option ${name} is ${JSON.stringify(value)}; expected ${expected}.`);
}

/** Parses "1000x1333" (also "1000×1333") into a size; names the bad entry otherwise. */
export function parseResolution(text: string): { width: number; height: number } {
  const match = /^\s*(\d+)\s*[x×X]\s*(\d+)\s*$/.exec(text);
  if (!match) throw new UserError(`Resolution "${text}" is not WIDTHxHEIGHT (for example 1000x1333).`);
  return { width: Number(match[1]), height: Number(match[2]) };
}

export function resolveQaOptions(opts: QaOptions): ResolvedQaOptions {
  const r = opts.resolution ?? {};
  const resolved: ResolvedQaOptions = {
    resolution: {
      minSide: r.minSide ?? QA_DEFAULTS.minSide,
      maxSide: r.maxSide ?? QA_DEFAULTS.maxSide,
      exact: [...(r.exact ?? [])],
    },
    maskTolerance: opts.maskTolerance ?? QA_DEFAULTS.maskTolerance,
    maxAmbiguousFraction: opts.maxAmbiguousFraction ?? QA_DEFAULTS.maxAmbiguousFraction,
    emptyMask: opts.emptyMask ?? QA_DEFAULTS.emptyMask,
    fullMask: opts.fullMask ?? QA_DEFAULTS.fullMask,
    maxPixels: opts.maxPixels ?? QA_DEFAULTS.maxPixels,
    concurrency: opts.concurrency ?? availableParallelism() * 2,
    outlierIqrFactor: opts.outlierIqrFactor ?? QA_DEFAULTS.outlierIqrFactor,
  };
  const { minSide, maxSide } = resolved.resolution;
  check(Number.isInteger(minSide) && minSide >= 1, 'resolution.minSide', minSide, 'an integer >= 1');
  check(
    Number.isInteger(maxSide) && maxSide >= minSide,
    'resolution.maxSide',
    maxSide,
    `an integer >= minSide (${minSide})`,
  );
  for (const size of resolved.resolution.exact) {
    check(
      Number.isInteger(size.width) && Number.isInteger(size.height) && size.width > 0 && size.height > 0,
      'resolution.exact',
      size,
      'positive integer sizes',
    );
  }
  const tol = resolved.maskTolerance;
  check(Number.isInteger(tol) && tol >= 0 && tol < 128, 'maskTolerance', tol, 'an integer from 0 to 127');
  const amb = resolved.maxAmbiguousFraction;
  check(amb >= 0 && amb <= 1, 'maxAmbiguousFraction', amb, 'a fraction from 0 to 1');
  for (const [name, value] of [
    ['emptyMask', resolved.emptyMask],
    ['fullMask', resolved.fullMask],
  ] as const) {
    check(value === 'warning' || value === 'error', name, value, "'warning' or 'error'");
  }
  check(
    Number.isInteger(resolved.maxPixels) && resolved.maxPixels > 0,
    'maxPixels',
    resolved.maxPixels,
    'a positive integer',
  );
  const conc = resolved.concurrency;
  check(Number.isInteger(conc) && conc >= 1 && conc <= 64, 'concurrency', conc, 'an integer from 1 to 64');
  check(resolved.outlierIqrFactor > 0, 'outlierIqrFactor', resolved.outlierIqrFactor, 'a number > 0');
  return resolved;
}
