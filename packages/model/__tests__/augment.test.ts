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
    ['all geometric steps', { ...IDENTITY_PLAN, flipH: true, flipV: true, angle: (-7 * Math.PI) / 180 }],
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
    const noAug = { ...cfg, horizontal_flip: 0, vertical_flip: 0, rotation_prob: 0, color_jitter_prob: 0 };
    expect(planAugmentation(noAug, 3)).toEqual(IDENTITY_PLAN);
  });

  it('keeps rotations within the configured range', () => {
    const cfg = { ...DEFAULT_TRAIN_CONFIG.augmentation, rotation_prob: 1, rotation_degrees: 10 };
    for (let s = 0; s < 50; s++) {
      expect(Math.abs(planAugmentation(cfg, s).angle)).toBeLessThanOrEqual((10 * Math.PI) / 180);
    }
  });
});
