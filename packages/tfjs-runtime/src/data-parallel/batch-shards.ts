import { UserError } from '@wms/core';
import type { TensorBatch } from './protocol';

export interface BatchShard {
  batch: TensorBatch;
  /** Share of the whole batch, the weight of this shard's mean loss and gradients. */
  weight: number;
}

/** Checks a batch's arrays against its shapes; names the field that is wrong. */
export function validateBatch(batch: TensorBatch): void {
  const check = (name: 'x' | 'y', values: Float32Array, shape: number[]): void => {
    if (shape.length < 2 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new UserError(
        `Training batch ${name}Shape [${shape.join(',')}] is invalid; expected positive integers [N, ...].`,
      );
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) {
      throw new UserError(
        `Training batch ${name} has ${values.length} values but ${name}Shape [${shape.join(',')}] needs ${size}.`,
      );
    }
  };
  check('x', batch.x, batch.xShape);
  check('y', batch.y, batch.yShape);
  if (batch.xShape[0] !== batch.yShape[0]) {
    throw new UserError(
      `Training batch has ${batch.xShape[0]} inputs but ${batch.yShape[0]} targets; expected equal counts.`,
    );
  }
}

/**
 * Splits a batch along its first axis into at most `parts` contiguous shards as equal as
 * possible (sizes differ by at most one). Each shard owns copies, so they can be transferred.
 */
export function splitBatch(batch: TensorBatch, parts: number): BatchShard[] {
  const total = batch.xShape[0]!;
  const xPer = batch.x.length / total;
  const yPer = batch.y.length / total;
  const shards: BatchShard[] = [];
  let start = 0;
  for (let i = 0; i < parts; i++) {
    const count = Math.floor(total / parts) + (i < total % parts ? 1 : 0);
    if (count === 0) continue;
    shards.push({
      weight: count / total,
      batch: {
        x: batch.x.slice(start * xPer, (start + count) * xPer),
        xShape: [count, ...batch.xShape.slice(1)],
        y: batch.y.slice(start * yPer, (start + count) * yPer),
        yShape: [count, ...batch.yShape.slice(1)],
      },
    });
    start += count;
  }
  return shards;
}

/** Σ weight·array, element by element (all arrays the same length). */
export function weightedSum(arrays: Float32Array[], weights: number[]): Float32Array {
  const out = new Float32Array(arrays[0]?.length ?? 0);
  arrays.forEach((array, k) => {
    const w = weights[k]!;
    for (let i = 0; i < out.length; i++) out[i]! += w * array[i]!;
  });
  return out;
}
