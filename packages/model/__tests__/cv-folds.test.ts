import {
  DEFAULT_TRAIN_CONFIG,
  assignFold,
  foldSplit,
  idBucket,
  splitPairs,
  withMinimumValidation,
  type Pair,
} from '../src';

const pair = (id: string): Pair => ({ id, image: `/d/images/${id}.jpg`, mask: `/d/masks/${id}.png` });
const ids = (n: number, prefix = 'id'): Pair[] => Array.from({ length: n }, (_, i) => pair(`${prefix}_${i}`));

describe('cross-validation folds', () => {
  it('assigns a fold by the split hash, ⌊bucket · k⌋, with roughly equal folds', () => {
    const pairs = ids(1000);
    const counts = [0, 0, 0, 0, 0];
    for (const p of pairs) {
      const fold = assignFold(p.id, 5);
      expect(fold).toBe(Math.floor(idBucket(p.id) * 5));
      counts[fold]!++;
    }
    for (const c of counts) expect(c / 1000).toBeCloseTo(0.2, 1);
  });

  it('never moves a pair to another fold when data is added', () => {
    const before = ids(100);
    const after = [...ids(400, 'new'), ...before].reverse();
    for (const k of [2, 5, 10]) {
      for (let fold = 0; fold < k; fold++) {
        const a = foldSplit(before, fold, k, DEFAULT_TRAIN_CONFIG.data).heldOut.map((p) => p.id);
        const b = new Set(foldSplit(after, fold, k, DEFAULT_TRAIN_CONFIG.data).heldOut.map((p) => p.id));
        for (const id of a) expect(b.has(id)).toBe(true);
      }
    }
  });

  it('holds every pair out exactly once and keeps the held-out fold out of training and validation', () => {
    const pairs = ids(120);
    const heldOutTimes = new Map<string, number>();
    for (let fold = 0; fold < 5; fold++) {
      const { split, heldOut } = foldSplit(pairs, fold, 5, DEFAULT_TRAIN_CONFIG.data);
      const out = new Set(heldOut.map((p) => p.id));
      expect(split.test).toEqual([]);
      for (const p of [...split.train, ...split.validation]) expect(out.has(p.id)).toBe(false);
      expect(split.train.length + split.validation.length + heldOut.length).toBe(120);
      expect(split.validation.length).toBeGreaterThanOrEqual(DEFAULT_TRAIN_CONFIG.data.min_val_pairs);
      for (const id of out) heldOutTimes.set(id, (heldOutTimes.get(id) ?? 0) + 1);
    }
    expect(heldOutTimes.size).toBe(120);
    expect([...heldOutTimes.values()].every((n) => n === 1)).toBe(true);
  });

  it('gives validation about 1/9 of the remaining pairs in a large fold', () => {
    const { split } = foldSplit(ids(3000), 2, 5, DEFAULT_TRAIN_CONFIG.data);
    expect(split.validation.length / (split.train.length + split.validation.length)).toBeCloseTo(1 / 9, 1);
  });
});

describe('minimum validation split', () => {
  it('tops a small validation split up from the training pairs nearest the held-out range', () => {
    const split = splitPairs(ids(30), DEFAULT_TRAIN_CONFIG);
    const plain = splitPairs(ids(30), { data: { ...DEFAULT_TRAIN_CONFIG.data, min_val_pairs: 0 } });
    expect(plain.validation.length).toBeLessThan(6);
    expect(split.test).toEqual(plain.test);
    const trainPlain = plain.train.length;
    expect(split.validation.length).toBe(
      plain.validation.length + Math.min(8 - plain.validation.length, Math.floor(trainPlain / 4)),
    );
    const moved = split.validation.filter((p) => !plain.validation.some((v) => v.id === p.id));
    const maxMoved = Math.max(...moved.map((p) => idBucket(p.id)));
    for (const p of split.train) expect(idBucket(p.id)).toBeGreaterThan(maxMoved);
  });

  it('changes nothing when the split already has enough validation pairs', () => {
    const split = splitPairs(ids(300), { data: { ...DEFAULT_TRAIN_CONFIG.data, min_val_pairs: 0 } });
    expect(withMinimumValidation(split, 8)).toEqual(split);
  });
});
