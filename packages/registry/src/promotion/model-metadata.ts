import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { UserError, writeFileAtomic, writeJsonAtomic } from '@wms/core';
import type { SegmentationMetrics } from '../types';

export const MODEL_METADATA_FILE = 'model-metadata.json';
export const MODEL_HISTORY_FILE = 'model-history.jsonl';

export interface GithubRunInfo {
  id?: string;
  url?: string;
  sha?: string;
  pr?: number | null;
  actor?: string;
}

/** The seed's model-metadata.json, field for field. */
export interface ModelMetadata {
  version: string;
  run_id: string | null;
  metrics: SegmentationMetrics;
  baseline: SegmentationMetrics;
  trained_at: string;
  training_data_count: number | null;
  github_run: { id: string | null; url: string | null; sha: string | null; pr: number | null };
}

/** One line of model-history.jsonl: the metadata plus what it replaced and why. */
export interface ModelHistoryEntry extends ModelMetadata {
  model: string;
  promoted_at: string;
  previous_version: string | null;
  reason: string;
}

function assertMetrics(metrics: SegmentationMetrics, what: string): void {
  for (const [k, v] of Object.entries(metrics)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new UserError(`${what}.${k} is ${String(v)}; model metadata needs finite numbers.`);
    }
  }
}

/** Writes `<dir>/model-metadata.json` atomically and returns its path. */
export async function writeModelMetadata(dir: string, metadata: ModelMetadata): Promise<string> {
  assertMetrics(metadata.metrics, 'metrics');
  assertMetrics(metadata.baseline, 'baseline');
  const path = join(dir, MODEL_METADATA_FILE);
  await writeJsonAtomic(path, metadata);
  return path;
}

/**
 * Appends one line to `<dir>/model-history.jsonl`. Existing lines are kept byte for byte; the
 * whole file is replaced atomically, so a crash leaves either the old or the new history.
 */
export async function appendModelHistory(dir: string, entry: ModelHistoryEntry): Promise<string> {
  const path = join(dir, MODEL_HISTORY_FILE);
  let existing = '';
  try {
    existing = await fsp.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (existing.length > 0 && !existing.endsWith('\n')) existing += '\n';
  await writeFileAtomic(path, `${existing}${JSON.stringify(entry)}\n`);
  return path;
}

export async function readModelHistory(dir: string): Promise<ModelHistoryEntry[]> {
  const path = join(dir, MODEL_HISTORY_FILE);
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as ModelHistoryEntry;
      } catch (error) {
        throw new UserError(`${path} line ${i + 1} is not valid JSON.`, { cause: error });
      }
    });
}
