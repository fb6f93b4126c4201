import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from '@wms/core';
import { DEFAULT_TRAIN_CONFIG, loadTrainConfig } from '../src';
import { parseTrainConfig } from '../src/config';

const REPO_CONFIG = resolve(__dirname, '../../../WMS/configs/train.yaml');

function errorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

function writeYaml(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'wms-cfg-')), 'train.yaml');
  writeFileSync(path, text);
  return path;
}

describe('training config', () => {
  it('runs on embedded defaults without a file', () => {
    expect(loadTrainConfig()).toEqual(DEFAULT_TRAIN_CONFIG);
    expect(DEFAULT_TRAIN_CONFIG.model).toMatchObject({ depth: 4, base_filters: 8, input_size: 128, batch_norm: true });
  });

  it('the repository file says the same as the defaults (apart from the gate baseline)', () => {
    const { baseline, ...fromFile } = loadTrainConfig(REPO_CONFIG);
    // The floors are the quality gate's (packages/registry); here only their shape matters.
    expect(baseline).toEqual({ min_dice: expect.any(Number), min_iou: expect.any(Number) });
    expect(fromFile).toEqual(DEFAULT_TRAIN_CONFIG);
  });

  it('fills missing keys from the defaults', () => {
    const cfg = loadTrainConfig(writeYaml('model:\n  input_size: 64\ntraining:\n  scheduler:\n    factor: 0.2\n'));
    expect(cfg.model.input_size).toBe(64);
    expect(cfg.model.base_filters).toBe(8);
    expect(cfg.training.scheduler).toEqual({ factor: 0.2, patience: 5, min_lr: 1e-6 });
  });

  it('names unknown keys with their path', () => {
    const path = writeYaml('training:\n  learning_rte: 0.01\n');
    const error = errorOf(() => loadTrainConfig(path));
    expect(error.message).toContain(path);
    expect(error.message).toContain("unknown key 'learning_rte' under 'training'");
  });

  it('names a bad value, the key path and what is accepted', () => {
    const error = errorOf(() => parseTrainConfig({ training: { batch_size: 0, scheduler: { factor: 2 } } }, 'x.yaml'));
    expect(error.message).toMatch(/'training\.batch_size' = 0: .*>=\s*1/);
    expect(error.message).toMatch(/'training\.scheduler\.factor' = 2: .*<\s*1/);
  });

  it('rejects wrong types and inconsistent values', () => {
    expect(errorOf(() => parseTrainConfig({ model: { batch_norm: 'yes' } })).message).toMatch(
      /'model\.batch_norm' = "yes": .*boolean/,
    );
    expect(errorOf(() => parseTrainConfig({ model: { input_size: 100 } })).message).toContain(
      "'model.input_size' = 100: must be divisible by 2^depth = 16",
    );
    expect(errorOf(() => parseTrainConfig({ data: { train_split: 0.5 } })).message).toContain('must sum to 1');
    for (const patch_size of [100, 256]) {
      expect(
        errorOf(() => parseTrainConfig({ model: { input_size: 192 }, training: { patch_size } })).message,
      ).toContain(
        `'training.patch_size' = ${patch_size}: must be 0 (whole photos) or a multiple of 2^depth = 16 no larger than model.input_size 192`,
      );
    }
    expect(parseTrainConfig({ model: { input_size: 192 }, training: { patch_size: 128 } }).training.patch_size).toBe(
      128,
    );
  });

  it('accepts the inference choices and names bad ones', () => {
    // The defaults: the behaviour 5-fold cross-validation kept (docs/training.md).
    expect(DEFAULT_TRAIN_CONFIG.inference).toEqual({ tta: 'auto', empty_fallback: false, selection: 'best' });
    expect(DEFAULT_TRAIN_CONFIG.refine.regions).toBe(1);
    const cfg = parseTrainConfig({ inference: { tta: 'flips', empty_fallback: false }, refine: { regions: 2 } });
    expect(cfg.inference).toEqual({ tta: 'flips', empty_fallback: false, selection: 'best' });
    expect(
      parseTrainConfig({ inference: { tta: 'auto', empty_fallback: 'auto', selection: 'one_se' } }).inference,
    ).toEqual({
      tta: 'auto',
      empty_fallback: 'auto',
      selection: 'one_se',
    });
    expect(cfg.refine.regions).toBe(2);
    expect(errorOf(() => parseTrainConfig({ inference: { tta: 'rot90' } })).message).toMatch(
      /'inference\.tta' = "rot90"/,
    );
    expect(errorOf(() => parseTrainConfig({ refine: { regions: 6 } })).message).toMatch(/'refine\.regions' = 6/);
    expect(errorOf(() => parseTrainConfig({ inference: { fallback: true } })).message).toContain(
      "unknown key 'fallback' under 'inference'",
    );
  });

  it('reports a missing file and invalid YAML as user errors', () => {
    expect(errorOf(() => loadTrainConfig('/nonexistent/train.yaml')).message).toContain('does not exist');
    expect(errorOf(() => loadTrainConfig(writeYaml('model: [unclosed\n'))).message).toContain('not valid YAML');
  });
});
