import { UserError } from '@wms/core';
import { splitBatch, validateBatch, weightedSum } from '../src/data-parallel/batch-shards';

const batchOf = (count: number) => ({
  x: Float32Array.from({ length: count * 2 }, (_, i) => i),
  xShape: [count, 2],
  y: Float32Array.from({ length: count }, (_, i) => 100 + i),
  yShape: [count, 1],
});

describe('batch shards for data-parallel workers', () => {
  it('splits along the first axis into near-equal contiguous shards weighted by size', () => {
    const shards = splitBatch(batchOf(5), 2);
    expect(shards.map((s) => s.batch.xShape)).toEqual([
      [3, 2],
      [2, 2],
    ]);
    expect(shards.map((s) => s.weight)).toEqual([0.6, 0.4]);
    expect(Array.from(shards[1]!.batch.x)).toEqual([6, 7, 8, 9]);
    expect(Array.from(shards[1]!.batch.y)).toEqual([103, 104]);
  });

  it('leaves workers without a shard when the batch is smaller than the worker count', () => {
    const shards = splitBatch(batchOf(1), 3);
    expect(shards).toHaveLength(1);
    expect(shards[0]!.weight).toBe(1);
  });

  it('copies, so transferring a shard leaves the caller’s arrays intact', () => {
    const batch = batchOf(2);
    const [first] = splitBatch(batch, 2);
    first!.batch.x[0] = -1;
    expect(batch.x[0]).toBe(0);
  });

  it('rejects arrays that do not match their shapes, naming the field', () => {
    expect(() => validateBatch({ ...batchOf(2), xShape: [2, 3] })).toThrow(UserError);
    expect(() => validateBatch({ ...batchOf(2), xShape: [2, 3] })).toThrow(
      /batch x has 4 values but xShape \[2,3\] needs 6/,
    );
    expect(() => validateBatch({ ...batchOf(2), yShape: [0, 1] })).toThrow(/yShape \[0,1\] is invalid/);
    expect(() => validateBatch({ ...batchOf(2), y: new Float32Array(3), yShape: [3, 1] })).toThrow(
      /2 inputs but 3 targets/,
    );
  });

  it('weightedSum adds arrays element-wise with weights', () => {
    const sum = weightedSum([Float32Array.from([1, 2]), Float32Array.from([3, 4])], [0.25, 0.75]);
    expect(Array.from(sum)).toEqual([2.5, 3.5]);
  });
});
