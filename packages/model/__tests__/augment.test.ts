import {
  applyAugmentation,
  DEFAULT_TRAIN_CONFIG,
  IDENTITY_PLAN,
  planAugmentation,
  type AugmentationPlan,
} from '../src';
import type { Sample } from '../src/augment';

const SIZE = 32;

/** A mask with an off-centre blob, and an image whose grey level is the mask × 255. */
function sampleFromMask(): Sample {
  const mask = new Uint8Array(SIZE * SIZE);
  for (let y = 6; y < 14; y++) for (let x = 8; x < 22; x++) mask[y * SIZE + x] = 1;
  for (let y = 14; y < 20; y++) for (let x = 8; x < 12; x++) mask[y * SIZE + x] = 1;
  const image = new Uint8Array(SIZE * SIZE * 3);
  mask.forEach((m, i) => image.fill(m * 255, i * 3, i * 3 + 3));
  return { image: { width: SIZE, height: SIZE, data: image }, mask: { width: SIZE, height: SIZE, data: mask } };
}

function imageAsMask(sample: Sample): number[] {
  return Array.from({ length: SIZE * SIZE }, (_, i) => ((sample.image.data[i * 3] ?? 0) >= 128 ? 1 : 0));
}

describe('augmentation', () => {
  const plans: Array<[string, AugmentationPlan]> = [
    ['horizontal flip', { ...IDENTITY_PLAN, flipH: true }],
    ['vertical flip', { ...IDENTITY_PLAN, flipV: true }],
    ['rotation', { ...IDENTITY_PLAN, angle: (9 * Math.PI) / 180 }],
    ['quarter turn', { ...IDENTITY_PLAN, quarterTurns: 1 }],
    ['zoom', { ...IDENTITY_PLAN, scale: 1.2 }],
    [
      'all geometric steps',
      { ...IDENTITY_PLAN, flipH: true, flipV: true, angle: (-7 * Math.PI) / 180, quarterTurns: -1, scale: 0.9 },
    ],
  ];

  it.each(plans)('moves image and mask identically: %s', (_name, plan) => {
    const source = sampleFromMask();
    const out = applyAugmentation(source, plan);
    expect(Array.from(out.mask.data)).not.toEqual(Array.from(source.mask.data));
    expect(imageAsMask(out)).toEqual(Array.from(out.mask.data));
  });

  it('flips exactly', () => {
    const out = applyAugmentation(sampleFromMask(), { ...IDENTITY_PLAN, flipH: true });
    expect(out.mask.data[6 * SIZE + (SIZE - 1 - 8)]).toBe(1);
    expect(out.mask.data[6 * SIZE + 8]).toBe(0);
  });

  it('turns by exactly a quarter, pixel for pixel', () => {
    const source = sampleFromMask();
    for (const turns of [1, -1]) {
      const out = applyAugmentation(source, { ...IDENTITY_PLAN, quarterTurns: turns });
      for (let y = 0; y < SIZE; y++) {
        for (let x = 0; x < SIZE; x++) {
          // Output (x, y) reads the source rotated back by the same quarter turn.
          const [sx, sy] = turns === 1 ? [y, SIZE - 1 - x] : [SIZE - 1 - y, x];
          expect(out.mask.data[y * SIZE + x]).toBe(source.mask.data[sy * SIZE + sx]);
        }
      }
      const area = (m: Uint8Array): number => m.reduce((s, v) => s + v, 0);
      expect(area(out.mask.data)).toBe(area(source.mask.data));
    }
  });

  it('zooms around the centre: in grows the foreground, out shrinks it', () => {
    const source = sampleFromMask();
    const area = (m: Uint8Array): number => m.reduce((s, v) => s + v, 0);
    const base = area(source.mask.data);
    const bigger = area(applyAugmentation(source, { ...IDENTITY_PLAN, scale: 1.25 }).mask.data);
    const smaller = area(applyAugmentation(source, { ...IDENTITY_PLAN, scale: 0.8 }).mask.data);
    expect(bigger / base).toBeGreaterThan(1.25 * 1.25 * 0.85);
    expect(bigger / base).toBeLessThan(1.25 * 1.25 * 1.15);
    expect(smaller / base).toBeGreaterThan(0.8 * 0.8 * 0.85);
    expect(smaller / base).toBeLessThan(0.8 * 0.8 * 1.15);
  });

  it('turns the image grey (luma) and leaves the mask alone', () => {
    const source = sampleFromMask();
    source.image.data.set([200, 100, 50], 0);
    const out = applyAugmentation(source, { ...IDENTITY_PLAN, grayscale: true });
    const luma = Math.round(0.299 * 200 + 0.587 * 100 + 0.114 * 50);
    expect(Array.from(out.image.data.subarray(0, 3))).toEqual([luma, luma, luma]);
    for (let i = 0; i < out.image.data.length; i += 3) {
      expect(out.image.data[i + 1]).toBe(out.image.data[i]);
      expect(out.image.data[i + 2]).toBe(out.image.data[i]);
    }
    expect(Array.from(out.mask.data)).toEqual(Array.from(source.mask.data));
  });

  it('changes colour on the image only', () => {
    const source = sampleFromMask();
    const out = applyAugmentation(source, { ...IDENTITY_PLAN, contrast: 0.5, brightness: 20 });
    expect(Array.from(out.mask.data)).toEqual(Array.from(source.mask.data));
    expect(Array.from(out.image.data)).not.toEqual(Array.from(source.image.data));
  });

  it('is reproducible for a seed and varies across seeds', () => {
    const cfg = { ...DEFAULT_TRAIN_CONFIG.augmentation, rotation_prob: 1, color_jitter_prob: 1 };
    expect(planAugmentation(cfg, 7)).toEqual(planAugmentation(cfg, 7));
    const distinct = new Set(Array.from({ length: 20 }, (_, s) => JSON.stringify(planAugmentation(cfg, s))));
    expect(distinct.size).toBe(20);
    const noAug = {
      ...cfg,
      horizontal_flip: 0,
      vertical_flip: 0,
      rotation_prob: 0,
      color_jitter_prob: 0,
      rotate90_prob: 0,
      scale_prob: 0,
      grayscale_prob: 0,
    };
    expect(planAugmentation(noAug, 3)).toEqual(IDENTITY_PLAN);
  });

  it('draws quarter turns and zooms within the configured ranges', () => {
    const cfg = { ...DEFAULT_TRAIN_CONFIG.augmentation, rotate90_prob: 1, scale_prob: 1, scale: 0.1 };
    const plans = Array.from({ length: 50 }, (_, s) => planAugmentation(cfg, s));
    expect(new Set(plans.map((p) => p.quarterTurns))).toEqual(new Set([-1, 1]));
    for (const p of plans) expect(Math.abs(p.scale - 1)).toBeLessThanOrEqual(0.1);
    const never = { ...cfg, rotate90_prob: 0, scale_prob: 0 };
    for (let s = 0; s < 20; s++) expect(planAugmentation(never, s)).toMatchObject({ quarterTurns: 0, scale: 1 });
  });

  it('keeps rotations within the configured range', () => {
    const cfg = { ...DEFAULT_TRAIN_CONFIG.augmentation, rotation_prob: 1, rotation_degrees: 10 };
    for (let s = 0; s < 50; s++) {
      expect(Math.abs(planAugmentation(cfg, s).angle)).toBeLessThanOrEqual((10 * Math.PI) / 180);
    }
  });
});
