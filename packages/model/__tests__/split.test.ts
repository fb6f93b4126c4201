import { DEFAULT_TRAIN_CONFIG, recordSplit, splitPairs, type Pair } from '../src';
import { UserError } from '@wms/core';

const pair = (id: string): Pair => ({ id, image: `/data/images/${id}.jpg`, mask: `/data/masks/${id}.png` });
const ids = (n: number, prefix = 'id'): Pair[] => Array.from({ length: n }, (_, i) => pair(`${prefix}_${i}`));

describe('splitPairs', () => {
  it('assigns roughly the configured fractions', () => {
    const split = splitPairs(ids(2000), DEFAULT_TRAIN_CONFIG);
    expect(split.train.length / 2000).toBeCloseTo(0.8, 1);
    expect(split.validation.length / 2000).toBeCloseTo(0.1, 1);
    expect(split.test.length / 2000).toBeCloseTo(0.1, 1);
    expect(split.train.length + split.validation.length + split.test.length).toBe(2000);
  });

  it('never moves an existing validation or test pair when data is added', () => {
    const before = splitPairs(ids(300), DEFAULT_TRAIN_CONFIG);
    const after = splitPairs([...ids(300), ...ids(500, 'new')].reverse(), DEFAULT_TRAIN_CONFIG);
    const afterVal = new Set(after.validation.map((p) => p.id));
    const afterTest = new Set(after.test.map((p) => p.id));
    expect(before.validation.length).toBeGreaterThan(0);
    expect(before.test.length).toBeGreaterThan(0);
    for (const p of before.validation) expect(afterVal.has(p.id)).toBe(true);
    for (const p of before.test) expect(afterTest.has(p.id)).toBe(true);
    const afterTrain = new Set(after.train.map((p) => p.id));
    for (const p of before.train) expect(afterTrain.has(p.id)).toBe(true);
  });

  it('does not depend on input order and records ids sorted', () => {
    const a = recordSplit(splitPairs(ids(50), DEFAULT_TRAIN_CONFIG), DEFAULT_TRAIN_CONFIG.data);
    const b = recordSplit(splitPairs(ids(50).reverse(), DEFAULT_TRAIN_CONFIG), DEFAULT_TRAIN_CONFIG.data);
    expect(b).toEqual(a);
    expect(a.train).toEqual([...a.train].sort((x, y) => x.localeCompare(y)));
    expect(a.fractions).toEqual({ train: 0.8, validation: 0.1, test: 0.1 });
  });

  it('rejects duplicate ids, naming the id', () => {
    expect(() => splitPairs([pair('a'), pair('a')], DEFAULT_TRAIN_CONFIG)).toThrow(UserError);
    expect(() => splitPairs([pair('a'), pair('a')], DEFAULT_TRAIN_CONFIG)).toThrow(/'a'/);
  });
});
