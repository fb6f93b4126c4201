import { UserError, type ImageScore } from '@wms/core';
import { decidePromotion, pairedBootstrapDice, seededRandom } from '../src';

const m = (dice: number, iou: number) => ({ mean: { dice, iou } });

describe('decidePromotion (the seed rule: Dice AND IoU must both increase)', () => {
  it('does not promote on equal metrics', () => {
    const d = decidePromotion(m(0.8, 0.7), m(0.8, 0.7));
    expect(d.improved).toBe(false);
    expect(d.reason).toContain('Dice ±0.0000 and IoU ±0.0000');
  });

  it('does not promote when one metric improves and the other gets worse', () => {
    expect(decidePromotion(m(0.81, 0.69), m(0.8, 0.7))).toEqual(
      expect.objectContaining({
        improved: false,
        reason: expect.stringMatching(/IoU −0\.0100; both Dice and IoU must increase/),
      }),
    );
    expect(decidePromotion(m(0.79, 0.71), m(0.8, 0.7)).improved).toBe(false);
  });

  it('promotes when both improve, with the deltas', () => {
    const d = decidePromotion(m(0.82, 0.71), m(0.8, 0.7));
    expect(d.improved).toBe(true);
    expect(d.delta.dice).toBeCloseTo(0.02, 10);
    expect(d.delta.iou).toBeCloseTo(0.01, 10);
  });

  it('holds every candidate, the first one too, to the absolute floors when they are set', () => {
    expect(decidePromotion(m(0.7, 0.6), null).improved).toBe(true);
    const first = decidePromotion(m(0.7, 0.6), null, { minDice: 0.75, minIou: 0.5 });
    expect(first).toEqual(
      expect.objectContaining({
        improved: false,
        reason:
          'Below the absolute floor every candidate must reach: Dice 0.7000 < 0.75 (baseline.min_dice / min_iou).',
      }),
    );
    expect(decidePromotion(m(0.9, 0.6), m(0.8, 0.5), { minDice: 0.75, minIou: 0.65 }).reason).toContain(
      'IoU 0.6000 < 0.65',
    );
    expect(decidePromotion(m(0.9, 0.8), m(0.8, 0.7), { minDice: 0.75, minIou: 0.65 }).improved).toBe(true);
    expect(() => decidePromotion(m(0.9, 0.8), null, { minDice: 1.5 })).toThrow(/Gate floor minDice is 1.5/);
  });

  it('treats a missing champion as baseline 0, so the first model passes', () => {
    const d = decidePromotion(m(0.3, 0.2), null);
    expect(d).toEqual(expect.objectContaining({ improved: true, baseline: { dice: 0, iou: 0 } }));
    expect(d.reason).toContain('baseline 0 (no champion yet)');
  });

  it('applies minimum deltas', () => {
    expect(decidePromotion(m(0.805, 0.71), m(0.8, 0.7), { minDiceDelta: 0.01 }).reason).toContain('needs ≥ +0.01');
    expect(decidePromotion(m(0.815, 0.71), m(0.8, 0.7), { minDiceDelta: 0.01 }).improved).toBe(true);
  });

  it.each([
    ['candidate Dice NaN', m(Number.NaN, 0.7), m(0.5, 0.5), /Candidate Dice is NaN/],
    ['candidate IoU undefined', { mean: { dice: 0.5 } as never }, null, /Candidate IoU is undefined/],
    ['baseline IoU NaN', m(0.9, 0.9), m(0.5, Number.NaN), /Baseline IoU is NaN/],
    ['Dice above 1', m(1.5, 0.9), null, /Candidate Dice is 1.5; expected a number between 0 and 1/],
  ])('refuses %s with a clear error', (_name, candidate, baseline, message) => {
    expect(() => decidePromotion(candidate, baseline)).toThrow(UserError);
    expect(() => decidePromotion(candidate, baseline)).toThrow(message);
  });

  it('rejects a nonsense policy', () => {
    expect(() => decidePromotion(m(0.9, 0.9), null, { confidence: 1 })).toThrow(/strictly between 0 and 1/);
    expect(() => decidePromotion(m(0.9, 0.9), null, { minIouDelta: Number.NaN })).toThrow(/minIouDelta is NaN/);
  });
});

describe('significance (paired bootstrap over per-image Dice)', () => {
  const random = seededRandom(7);
  const base: ImageScore[] = Array.from({ length: 40 }, (_, i) => ({
    id: `i${i}`,
    dice: 0.5 + 0.4 * random(),
    iou: 0.5,
  }));
  const mean = (s: ImageScore[]) => s.reduce((a, b) => a + b.dice, 0) / s.length;
  const withScores = (s: ImageScore[], iou: number) => ({ mean: { dice: mean(s), iou }, perImage: s });

  it('blocks a gain that is only noise', () => {
    // Half the images up by 0.1, half down by 0.095: the mean rises a little, the per-image gains disagree.
    const noisy = base.map((s, i) => ({ ...s, dice: s.dice + (i % 2 === 0 ? 0.1 : -0.095) }));
    const d = decidePromotion(withScores(noisy, 0.6), withScores(base, 0.5), { requireSignificance: true });
    expect(d.delta.dice).toBeGreaterThan(0);
    expect(d.improved).toBe(false);
    expect(d.reason).toMatch(/^Gain not significant/);
    expect(d.significance!.significant).toBe(false);
  });

  it('passes a consistent gain, and is reproducible for a seed', () => {
    const better = base.map((s, i) => ({ ...s, dice: s.dice + 0.02 + (i % 3) * 0.005 }));
    const d = decidePromotion(withScores(better, 0.6), withScores(base, 0.5), { requireSignificance: true });
    expect(d.improved).toBe(true);
    expect(d.significance!.lowerBound).toBeGreaterThan(0);
    const again = pairedBootstrapDice(better, base, { confidence: 0.95, samples: 2000, seed: 42 });
    expect(again).toEqual(d.significance);
  });

  it('refuses to call a gain significant without the champion per-image scores', () => {
    const d = decidePromotion(withScores(base, 0.6), { mean: { dice: 0.1, iou: 0.1 } }, { requireSignificance: true });
    expect(d.improved).toBe(false);
    expect(d.reason).toContain('per-image scores of both models are not available');
  });

  it('pairs images by id and needs at least two pairs', () => {
    const r = pairedBootstrapDice([{ id: 'a', dice: 0.9, iou: 0.9 }], [{ id: 'a', dice: 0.1, iou: 0.1 }], {
      confidence: 0.95,
      samples: 100,
      seed: 1,
    });
    expect(r).toEqual(expect.objectContaining({ pairedImages: 1, significant: false }));
  });
});
