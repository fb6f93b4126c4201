/**
 * A tiny 2-fold cross-validation run (tiny U-Net, a few seconds per fold on wasm): the report's
 * structure, and its numbers checked against each other and against the saved fold models
 * re-scored with `evaluateModelDir` (the quality gate's scorer).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '@wms/core';
import { writeTinyDataset } from '@wms/test-support';
import {
  CV_REPORT_JSON,
  CV_REPORT_MD,
  METRICS_JSON,
  assignFold,
  crossValidate,
  evaluateModelDir,
  parseTrainConfig,
  type CrossValidationReport,
  type Pair,
  type RunRecord,
} from '../src';

jest.setTimeout(240_000);

const config = parseTrainConfig({
  model: { input_size: 32, base_filters: 4, depth: 2 },
  training: { epochs: 12, batch_size: 4, learning_rate: 0.01, early_stopping_patience: 12, time_budget_sec: 8 },
  augmentation: { rotation_prob: 0, color_jitter_prob: 0 },
  refine: { enabled: false },
});

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('crossValidate, 2 folds on tiny data', () => {
  let root: string;
  let pairs: Pair[];
  let report: CrossValidationReport;
  const logger = createMemoryLogger();

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wms-cv-'));
    pairs = await writeTinyDataset(join(root, 'data'), 24, 5);
    report = await crossValidate(
      { pairs, config, folds: 2, outDir: join(root, 'cv'), backend: 'wasm', worst: 3 },
      { logger },
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('holds out every pair exactly once, in the fold its hash names', () => {
    expect(report.completedFolds).toBe(2);
    expect(report.perImage).toHaveLength(pairs.length);
    expect(new Set(report.perImage.map((s) => s.id)).size).toBe(pairs.length);
    for (const s of report.perImage) expect(s.fold).toBe(assignFold(s.id, 2) + 1);
    for (const f of report.perFold) {
      expect(f.pairs.heldOut).toBe(report.perImage.filter((s) => s.fold === f.fold).length);
      expect(f.pairs.train + f.pairs.validation + f.pairs.heldOut).toBe(pairs.length);
    }
  });

  it('selects each fold model without its held-out pairs', () => {
    for (const f of report.perFold) {
      const record = JSON.parse(readFileSync(join(f.modelDir, METRICS_JSON), 'utf8')) as RunRecord;
      const seen = new Set([...record.split.train, ...record.split.validation]);
      const heldOut = report.perImage.filter((s) => s.fold === f.fold).map((s) => s.id);
      for (const id of heldOut) expect(seen.has(id)).toBe(false);
      expect(record.split.test).toEqual([]);
      expect(record.split.validation.length).toBe(f.pairs.validation);
      expect(f.validationDice).toBe(record.metrics.validation.mean.dice);
      expect(typeof f.chosen.foreground_prior).toBe('number');
    }
  });

  it('reports numbers that agree with each other and with the saved fold models', async () => {
    for (const f of report.perFold) {
      const scores = report.perImage.filter((s) => s.fold === f.fold);
      expect(f.heldOut.mean.dice).toBeCloseTo(mean(scores.map((s) => s.dice)), 12);
      expect(f.heldOut.misses).toBe(scores.filter((s) => s.dice < 0.5).length);
      const heldOutPairs = pairs.filter((p) => scores.some((s) => s.id === p.id));
      const rescored = await evaluateModelDir(f.modelDir, heldOutPairs);
      expect(rescored.mean.dice).toBeCloseTo(f.heldOut.mean.dice, 12);
    }
    const foldDice = report.perFold.map((f) => f.heldOut.mean.dice);
    expect(report.acrossFolds.dice.mean).toBeCloseTo(mean(foldDice), 12);
    expect(report.acrossFolds.dice.std).toBeCloseTo(Math.abs(foldDice[0]! - foldDice[1]!) / 2, 12);
    expect(report.pooled.count).toBe(pairs.length);
    expect(report.pooled.mean.dice).toBeCloseTo(mean(report.perImage.map((s) => s.dice)), 12);
    expect(report.worst).toHaveLength(3);
    expect(report.worst[0]!.dice).toBe(Math.min(...report.perImage.map((s) => s.dice)));
    // A real model, not a constant: it beats chance on the held-out folds.
    expect(report.pooled.mean.dice).toBeGreaterThan(0.3);
  });

  it('splits the misses by stage, per fold and pooled, agreeing with the per-photo scores', () => {
    for (const f of report.perFold) {
      const scores = report.perImage.filter((s) => s.fold === f.fold);
      expect(f.stages!.misses.firstStage + f.stages!.misses.later).toBe(f.heldOut.misses);
      expect(f.stages!.firstStageDice).toBeCloseTo(mean(scores.map((s) => s.stages!.firstStageDice)), 12);
    }
    const misses = report.perImage.filter((s) => s.dice < 0.5);
    expect(report.pooledStages!.misses).toEqual({
      firstStage: misses.filter((s) => s.stages!.firstStageCover < 0.25).length,
      later: misses.filter((s) => s.stages!.firstStageCover >= 0.25).length,
    });
    for (const s of report.perImage) {
      expect(s.stages!.firstStageCover).toBeGreaterThanOrEqual(0);
      expect(s.stages!.firstStageCover).toBeLessThanOrEqual(1);
    }
  });

  it('writes the JSON and markdown reports, overlays, and a progress line per fold', () => {
    const cv = join(root, 'cv');
    const json = JSON.parse(readFileSync(join(cv, CV_REPORT_JSON), 'utf8')) as CrossValidationReport;
    expect(json.acrossFolds.dice.mean).toBeCloseTo(report.acrossFolds.dice.mean, 12);
    const md = readFileSync(join(cv, CV_REPORT_MD), 'utf8');
    expect(md).toContain('## Cross-validation (2 of 2 folds, 24 pairs)');
    expect(md).toContain(`**${report.acrossFolds.dice.mean.toFixed(4)} ± ${report.acrossFolds.dice.std.toFixed(4)}**`);
    for (const w of report.worst) expect(existsSync(join(cv, w.overlay!))).toBe(true);
    const info = logger.messages('info');
    expect(info.filter((m) => /^fold \d\/2: training on/.test(m))).toHaveLength(2);
    expect(info.filter((m) => /^fold \d\/2 done in/.test(m))).toHaveLength(2);
  });

  it('--models-from re-decides the fold models without training and, with the same config, reproduces every score', async () => {
    const reuseLogger = createMemoryLogger();
    const out = join(root, 'cv-reused');
    const reused = await crossValidate(
      { pairs, config, folds: 2, outDir: out, worst: 3, modelsFrom: join(root, 'cv') },
      { logger: reuseLogger },
    );
    expect(reused.modelsFrom).toBe(join(root, 'cv'));
    expect(reused.perImage).toEqual(report.perImage);
    for (const [i, f] of reused.perFold.entries()) {
      const original = report.perFold[i]!;
      expect(f.validationDice).toBe(original.validationDice);
      expect(f.chosen).toEqual(original.chosen);
      // The recorded decode and training, plus this run's choice instead of the recorded one.
      const { timings } = JSON.parse(readFileSync(join(original.modelDir, METRICS_JSON), 'utf8')) as RunRecord;
      const redecided = (JSON.parse(readFileSync(join(f.modelDir, METRICS_JSON), 'utf8')) as RunRecord).timings;
      expect(redecided.decodeSec).toBe(timings.decodeSec);
      expect(redecided.trainSec).toBe(timings.trainSec);
      expect(redecided.evaluateSec).toBeGreaterThan(0);
      expect(f.trainWallSec).toBeCloseTo(timings.decodeSec + timings.trainSec + redecided.evaluateSec, 9);
      expect(f.modelDir).toBe(join(out, `fold-${i + 1}`, 'model'));
      const record = JSON.parse(readFileSync(join(f.modelDir, METRICS_JSON), 'utf8')) as RunRecord;
      expect(record.reusedFrom).toBe(original.modelDir);
      expect(record.epochs).toHaveLength(
        (JSON.parse(readFileSync(join(original.modelDir, METRICS_JSON), 'utf8')) as RunRecord).epochs.length,
      );
    }
    const info = reuseLogger.messages('info');
    expect(info.filter((m) => /^fold \d\/2: re-deciding the model trained on/.test(m))).toHaveLength(2);
    expect(info.some((m) => /^epoch \d+\//.test(m))).toBe(false); // nothing trained
    expect(readFileSync(join(out, CV_REPORT_MD), 'utf8')).toContain('only their inference was chosen again');
  });

  it('--models-from resolves an `auto` fallback from the training masks of the fold, as training does', async () => {
    const out = join(root, 'cv-fallback');
    const auto = parseTrainConfig({ ...config, inference: { ...config.inference, empty_fallback: 'auto' } });
    const reused = await crossValidate(
      { pairs, config: auto, folds: 2, outDir: out, worst: 0, modelsFrom: join(root, 'cv') },
      { logger: createMemoryLogger() },
    );
    for (const f of reused.perFold) {
      // Every generated mask has foreground.
      expect(f.chosen.empty_fallback).toBe(true);
      const record = JSON.parse(readFileSync(join(f.modelDir, METRICS_JSON), 'utf8')) as RunRecord;
      expect(record.config.inference.empty_fallback).toBe(true);
      expect(record.inference!.empty_fallback).toBe(true);
    }
  });

  it('--models-from refuses models of other folds and re-deciding in place', async () => {
    await expect(
      crossValidate({ pairs, config, folds: 3, outDir: join(root, 'cv-3'), modelsFrom: join(root, 'cv') }, { logger }),
    ).rejects.toThrow(/was trained on other pairs than this fold's/);
    await expect(
      crossValidate({ pairs, config, folds: 2, outDir: join(root, 'cv'), modelsFrom: join(root, 'cv') }, { logger }),
    ).rejects.toThrow(/--models-from and --out are both/);
    await expect(
      crossValidate(
        { pairs, config, folds: 2, outDir: join(root, 'cv-x'), modelsFrom: join(root, 'nope') },
        { logger },
      ),
    ).rejects.toThrow(/nope\/fold-1\/model\/metrics.json does not exist/);
  });
});
