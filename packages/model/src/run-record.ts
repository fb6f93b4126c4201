/**
 * What a run records beside its model: metrics.json (per-image and mean metrics of every split,
 * the split itself, config, dataset fingerprint, git SHA, backend, seed, timings). Enough to
 * reproduce the run and to audit a promotion later.
 */
import { execFileSync } from 'node:child_process';
import type { EvaluationResult } from '@wms/core';
import type { InferenceChoice } from './choose-inference';
import type { TrainConfig } from './config';
import type { RecordedSplit } from './split';
import type { EpochLog } from './train-loop';
import type { ActiveBackend } from './use-backend';

export const METRICS_JSON = 'metrics.json';

export interface RunTimings {
  decodeSec: number;
  trainSec: number;
  evaluateSec: number;
  totalSec: number;
}

/**
 * Whether the refine network improved validation Dice (photo resolution) and so was kept, and
 * with how many passes.
 */
export interface RefineChoice {
  used: boolean;
  /** Refine passes the saved model applies (0 when not used). */
  passes: number;
  /**
   * Validation Dice without the refine network, with it (the best pass count), and by pass
   * count (index 0: without).
   */
  validationDice: { withRefine: number; without: number; byPasses: number[] };
}

export interface RunRecord {
  schemaVersion: 1;
  runId: string | null;
  createdAt: string;
  metrics: { validation: EvaluationResult; test: EvaluationResult; heldOut: EvaluationResult };
  split: RecordedSplit;
  config: TrainConfig;
  datasetFingerprint: string;
  gitSha: string;
  backend: ActiveBackend;
  seed: number;
  epochs: EpochLog[];
  bestEpoch: number;
  stopReason: string;
  /** Post-processing and refine passes chosen on validation (choose-inference.ts). */
  inference?: InferenceChoice;
  /** The refine network's training, when one was trained, and whether the model kept it. */
  refine?: { epochs: EpochLog[]; bestEpoch: number; stopReason: string } & RefineChoice;
  timings: RunTimings;
  /** `wms cv --models-from`: the fold model whose networks this record re-decided (cv-reuse.ts). */
  reusedFrom?: string;
}

/** $GITHUB_SHA on a runner, else the checkout's HEAD, else 'unknown' (e.g. a tarball). */
export function currentGitSha(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (env.GITHUB_SHA) return env.GITHUB_SHA;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

/** Validation and test scored together: the "held-out" number the quality target uses. */
export function combineResults(a: EvaluationResult, b: EvaluationResult): EvaluationResult {
  const perImage = [...a.perImage, ...b.perImage];
  const n = perImage.length;
  const mean =
    n === 0
      ? { dice: Number.NaN, iou: Number.NaN }
      : {
          dice: perImage.reduce((s, x) => s + x.dice, 0) / n,
          iou: perImage.reduce((s, x) => s + x.iou, 0) / n,
        };
  return { perImage, mean, count: n, threshold: a.threshold };
}

/** Flat `section.key` params for a tracker (MLflow params are flat strings). */
export function flattenConfig(config: TrainConfig): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  const walk = (value: unknown, prefix: string): void => {
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out[prefix] = value;
    }
  };
  walk(config, '');
  return out;
}
