/**
 * Train/validation/test split by a hash of each pair's id. A pair's split depends only on its own
 * id and the split fractions, so adding data never moves an existing validation or test pair
 * into training (and never leaks a test pair into a later model's training set).
 */
import { createHash } from 'node:crypto';
import { UserError } from '@wms/core';
import type { TrainConfig } from './config';
import type { Pair } from '@wms/dataset';

export type SplitName = 'train' | 'validation' | 'test';

export interface DataSplit {
  train: Pair[];
  validation: Pair[];
  test: Pair[];
}

/** The split as recorded in metrics.json: ids only, sorted. */
export interface RecordedSplit {
  method: 'sha256(id) bucket';
  fractions: { train: number; validation: number; test: number };
  train: string[];
  validation: string[];
  test: string[];
}

/** A number in [0, 1) from the first 48 bits of sha256(id). */
export function idBucket(id: string): number {
  const digest = createHash('sha256').update(id, 'utf8').digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export function assignSplit(id: string, data: TrainConfig['data']): SplitName {
  const bucket = idBucket(id);
  if (bucket < data.val_split) return 'validation';
  if (bucket < data.val_split + data.test_split) return 'test';
  return 'train';
}

export function splitPairs(pairs: readonly Pair[], cfg: Pick<TrainConfig, 'data'>): DataSplit {
  const seen = new Set<string>();
  const split: DataSplit = { train: [], validation: [], test: [] };
  for (const pair of pairs) {
    if (seen.has(pair.id)) {
      throw new UserError(`Duplicate pair id '${pair.id}' (${pair.image}); every image needs a unique name.`);
    }
    seen.add(pair.id);
    split[assignSplit(pair.id, cfg.data)].push(pair);
  }
  return withMinimumValidation(split, cfg.data.min_val_pairs);
}

/**
 * A validation split that can decide something: when it has fewer than `min` pairs, the
 * training pairs whose hash lies nearest above the held-out range join it, at most a quarter of
 * the training pairs. Which pairs join depends only on the ids' hashes, so runs on the same data
 * agree; test pairs never move. Lists come back sorted by id.
 */
export function withMinimumValidation(split: DataSplit, min: number): DataSplit {
  const need = Math.min(min - split.validation.length, Math.floor(split.train.length / 4));
  let { train, validation } = split;
  if (need > 0) {
    const byBucket = [...train].sort((a, b) => idBucket(a.id) - idBucket(b.id) || a.id.localeCompare(b.id));
    const moved = new Set(byBucket.slice(0, need).map((p) => p.id));
    validation = [...validation, ...train.filter((p) => moved.has(p.id))];
    train = train.filter((p) => !moved.has(p.id));
  }
  const byId = (a: Pair, b: Pair): number => a.id.localeCompare(b.id);
  return { train: [...train].sort(byId), validation: [...validation].sort(byId), test: [...split.test].sort(byId) };
}

export function recordSplit(split: DataSplit, data: TrainConfig['data']): RecordedSplit {
  return {
    method: 'sha256(id) bucket',
    fractions: { train: data.train_split, validation: data.val_split, test: data.test_split },
    train: split.train.map((p) => p.id),
    validation: split.validation.map((p) => p.id),
    test: split.test.map((p) => p.id),
  };
}
