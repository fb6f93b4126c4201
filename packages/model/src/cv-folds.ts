/**
 * Fold assignment for k-fold cross-validation by the split's own hash (`idBucket`, sha256 of the
 * id): fold = ⌊bucket · k⌋. A pair's fold depends only on its id and k, so adding data never
 * moves a pair to another fold. Inside a fold, the other pairs are split into training and
 * validation by the same bucket stretched over the remaining range, so the fold's model is
 * selected on its own validation pairs and never sees the held-out fold.
 */
import { UserError } from '@wms/core';
import type { Pair } from '@wms/dataset';
import type { TrainConfig } from './config';
import { idBucket, withMinimumValidation, type DataSplit } from './split';

export function assignFold(id: string, folds: number): number {
  return Math.min(folds - 1, Math.floor(idBucket(id) * folds));
}

/** The bucket of a pair outside `fold`, mapped onto [0, 1) with the fold's range cut out. */
function bucketOutsideFold(id: string, fold: number, folds: number): number {
  const bucket = idBucket(id);
  const start = fold / folds;
  const width = 1 / folds;
  return (bucket < start ? bucket : bucket - width) / (1 - width);
}

export interface FoldSplit {
  fold: number;
  folds: number;
  /** What the fold's model trains and is selected on (`test` is empty). */
  split: DataSplit;
  heldOut: Pair[];
}

export function checkFolds(folds: number, pairCount: number): void {
  if (!Number.isInteger(folds) || folds < 2 || folds > 20) {
    throw new UserError(`--folds is ${folds}; expected an integer from 2 to 20.`);
  }
  if (pairCount < folds * 2) {
    throw new UserError(`${pairCount} pairs are too few for ${folds}-fold cross-validation.`, {
      hint: `Give at least ${folds * 2} pairs, or fewer folds.`,
    });
  }
}

/**
 * Fold `fold` of `folds`: its held-out pairs, and the rest split into training and validation.
 * The validation share of the rest is `val_split / (train_split + val_split)` (the default
 * config's 1/9), at least `min_val_pairs`.
 */
export function foldSplit(pairs: readonly Pair[], fold: number, folds: number, data: TrainConfig['data']): FoldSplit {
  const heldOut: Pair[] = [];
  const split: DataSplit = { train: [], validation: [], test: [] };
  const share = data.val_split / Math.max(1e-9, data.train_split + data.val_split);
  for (const pair of pairs) {
    if (assignFold(pair.id, folds) === fold) heldOut.push(pair);
    else if (bucketOutsideFold(pair.id, fold, folds) < share) split.validation.push(pair);
    else split.train.push(pair);
  }
  heldOut.sort((a, b) => a.id.localeCompare(b.id));
  return { fold, folds, split: withMinimumValidation(split, data.min_val_pairs), heldOut };
}
