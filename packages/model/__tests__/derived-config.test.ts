import {
  DEFAULT_TRAIN_CONFIG,
  meanForegroundShare,
  parseTrainConfig,
  posWeightForShare,
  priorForShare,
  resolveDerivedConfig,
} from '../src';
import { postprocessVariants } from '../src/choose-inference';
import { fixedPostprocess } from '../src/derived-config';

const mask = (on: number, total: number): { mask: { width: number; height: number; data: Uint8Array } } => {
  const data = new Uint8Array(total);
  data.fill(1, 0, on);
  return { mask: { width: total, height: 1, data } };
};

describe('config derived from the training masks', () => {
  it('measures the mean foreground share, each mask counted once', () => {
    expect(meanForegroundShare([mask(1, 100), mask(30, 100)])).toBeCloseTo(0.155, 10);
    expect(meanForegroundShare([mask(2, 4), mask(0, 1000)])).toBeCloseTo(0.25, 10);
  });

  it('weights foreground 3× at the water meters’ 2%, 1× at half, less above', () => {
    expect(posWeightForShare(0.02)).toBeCloseTo(3, 6);
    expect(posWeightForShare(0.5)).toBeCloseTo(1, 6);
    expect(posWeightForShare(0.75)).toBeCloseTo((1 / 3) ** (Math.log(3) / Math.log(49)), 6);
    expect(posWeightForShare(0.75)).toBeLessThan(1);
    expect(posWeightForShare(0)).toBeLessThanOrEqual(10);
    expect(priorForShare(0)).toBe(0.005);
    expect(priorForShare(1)).toBe(0.95);
  });

  it('fills in auto values only, and records them in the config', () => {
    const samples = [mask(10, 100), mask(30, 100)];
    const { config, derived } = resolveDerivedConfig(DEFAULT_TRAIN_CONFIG, samples);
    expect(derived.foregroundShare).toBeCloseTo(0.2, 10);
    expect(config.model.foreground_prior).toBe(0.2);
    expect(config.training.loss.pos_weight).toBe(Number(posWeightForShare(0.2).toPrecision(4)));
    const fixed = parseTrainConfig({ model: { foreground_prior: 0.1 }, training: { loss: { pos_weight: 2 } } });
    const kept = resolveDerivedConfig(fixed, samples);
    expect(kept.config.model.foreground_prior).toBe(0.1);
    expect(kept.config.training.loss.pos_weight).toBe(2);
    expect(kept.derived).toEqual({ foregroundShare: expect.closeTo(0.2, 10) });
  });

  it('tries each auto post-processing step on and off, fewest steps first; forced steps stay', () => {
    expect(postprocessVariants({ keep_largest_component: 'auto', fill_holes: 'auto' })).toEqual([
      { keep_largest_component: false, fill_holes: false },
      { keep_largest_component: false, fill_holes: true },
      { keep_largest_component: true, fill_holes: false },
      { keep_largest_component: true, fill_holes: true },
    ]);
    expect(postprocessVariants({ keep_largest_component: true, fill_holes: 'auto' })).toEqual([
      { keep_largest_component: true, fill_holes: false },
      { keep_largest_component: true, fill_holes: true },
    ]);
    expect(fixedPostprocess({ keep_largest_component: 'auto', fill_holes: true })).toEqual({
      keep_largest_component: false,
      fill_holes: true,
    });
  });
});
