import { diceAndIou, resizeBilinear, scorePrediction } from '../src';
import { meanScores, type ProbabilityMap } from '../src/metrics';
import type { BinaryMask } from '../src/image-io';

const mask = (width: number, height: number, rows: string[]): BinaryMask => ({
  width,
  height,
  data: Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0)),
});
const probs = (width: number, height: number, values: number[]): ProbabilityMap => ({
  width,
  height,
  data: Float32Array.from(values),
});

describe('Dice and IoU', () => {
  it('scores hand-made masks at the same resolution exactly', () => {
    const truth = mask(4, 2, ['##..', '##..']);
    // Predicted: 3 pixels, 2 of them correct.
    const prediction = probs(4, 2, [0.9, 0.2, 0.7, 0.1, 0.6, 0.4, 0.0, 0.0]);
    const score = scorePrediction('a', prediction, truth);
    expect(score.dice).toBeCloseTo((2 * 2) / (3 + 4), 12);
    expect(score.iou).toBeCloseTo(2 / 5, 12);
  });

  it('counts a probability of exactly 0.5 as foreground', () => {
    const score = scorePrediction('a', probs(2, 1, [0.5, 0.49]), mask(2, 1, ['#.']));
    expect(score).toEqual({ id: 'a', dice: 1, iou: 1 });
  });

  it('scores empty prediction on empty mask as a perfect 1, and a miss as 0', () => {
    expect(diceAndIou({ intersection: 0, predicted: 0, truth: 0 })).toEqual({ dice: 1, iou: 1 });
    expect(diceAndIou({ intersection: 0, predicted: 3, truth: 0 })).toEqual({ dice: 0, iou: 0 });
    expect(diceAndIou({ intersection: 0, predicted: 0, truth: 5 })).toEqual({ dice: 0, iou: 0 });
  });

  it('resizes a low-resolution prediction back to the mask resolution before scoring', () => {
    // A 2×2 prediction of the left column, scored against a 4×4 mask whose left half is set:
    // upscaled bilinearly, columns 0–1 read 1 and 0.75 (≥ 0.5), columns 2–3 read 0.25 and 0.
    const prediction = probs(2, 2, [1, 0, 1, 0]);
    const truth = mask(4, 4, ['##..', '##..', '##..', '##..']);
    expect(scorePrediction('a', prediction, truth)).toEqual({ id: 'a', dice: 1, iou: 1 });
    // Against a 4×4 mask of only the first column: predicted 8 pixels, 4 correct.
    const narrow = mask(4, 4, ['#...', '#...', '#...', '#...']);
    const score = scorePrediction('b', prediction, narrow);
    expect(score.dice).toBeCloseTo((2 * 4) / (8 + 4), 12);
    expect(score.iou).toBeCloseTo(4 / 8, 12);
  });

  it('resizes with half-pixel centres', () => {
    const up = resizeBilinear(probs(2, 1, [0, 1]), 4, 1);
    expect(Array.from(up.data)).toEqual([0, 0.25, 0.75, 1]);
    const down = resizeBilinear(probs(4, 1, [0, 1, 1, 0]), 2, 1);
    expect(Array.from(down.data)).toEqual([0.5, 0.5]);
  });

  it('averages per-image scores', () => {
    expect(
      meanScores([
        { id: 'a', dice: 1, iou: 1 },
        { id: 'b', dice: 0.5, iou: 0.25 },
      ]),
    ).toEqual({ dice: 0.75, iou: 0.625 });
  });
});
