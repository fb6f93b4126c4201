/**
 * A short real training run: tiny synthetic rectangles, a tiny U-Net, at most 30 epochs in a
 * 20 s budget on the wasm backend with the project's gradient kernels (the pure-JS cpu backend's
 * filter gradient is ~60× slower, too slow to learn anything in a test), then the refine network
 * on crops. It must beat the same network untrained, record the run, and save a model (both
 * networks + inference.json) that reloads to the same metrics.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createMemoryLogger, createMemoryRunTracker } from '@wms/core';
import {
  buildUNet,
  evaluate,
  evaluateModelDir,
  METRICS_JSON,
  parseTrainConfig,
  readInferenceSpec,
  splitPairs,
  trainModel,
  trainSummaryMarkdown,
  type Pair,
  type RunRecord,
  type TrainResult,
} from '../src';
import { writeTinyDataset } from '@wms/test-support';

jest.setTimeout(120_000);

const config = parseTrainConfig({
  model: { input_size: 32, base_filters: 4, depth: 2 },
  training: { epochs: 30, batch_size: 4, learning_rate: 0.01, early_stopping_patience: 30, time_budget_sec: 20 },
  augmentation: { rotation_prob: 0, color_jitter_prob: 0 },
  refine: { input_size: 32, source_size: 96, time_share: 0.3, regions: 'auto' },
  // Every inference choice left to the run (the defaults fix TTA, regions and the fallback off).
  inference: { tta: 'auto', empty_fallback: 'auto', selection: 'one_se' },
});

describe('trainModel on tiny data', () => {
  let root: string;
  let pairs: Pair[];
  let result: TrainResult;
  let leakedTensors: number;
  const tracker = createMemoryRunTracker('run-123');
  const logger = createMemoryLogger();

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wms-train-'));
    pairs = await writeTinyDataset(join(root, 'data'), 28, 11);
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    result = await trainModel({ pairs, config, outputDir: join(root, 'out'), backend: 'wasm', tracker }, { logger });
    leakedTensors = tf.memory().numTensors - before;
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('beats the same network untrained on held-out Dice', async () => {
    const split = splitPairs(pairs, config);
    const heldOut = [...split.validation, ...split.test];
    expect(heldOut.length).toBeGreaterThan(0);
    const untrained = buildUNet(config.model, { seed: config.training.seed });
    const baseline = await evaluate(untrained, heldOut);
    untrained.dispose();
    expect(result.metrics.heldOut.count).toBe(heldOut.length);
    expect(result.metrics.heldOut.mean.dice).toBeGreaterThan(baseline.mean.dice + 0.3);
    expect(result.epochs.length).toBeGreaterThan(1);
    expect(result.backend.name).toBe('wasm');
  });

  it('frees every tensor it created', () => {
    expect(leakedTensors).toBe(0);
  });

  it('logs params, one metrics step per epoch and the artifacts to the tracker', () => {
    expect(tracker.params).toMatchObject({ 'model.input_size': 32, 'training.seed': 42, backend: 'wasm' });
    const perEpoch = tracker.metrics.filter((m) => m.step !== undefined && 'train_loss' in m.values);
    expect(perEpoch.map((m) => m.step)).toEqual(result.epochs.map((e) => e.epoch));
    expect(Object.keys(perEpoch[0]!.values).sort()).toEqual(['learning_rate', 'train_loss', 'val_dice', 'val_loss']);
    const refineEpochs = tracker.metrics.filter((m) => m.step !== undefined && 'refine_train_loss' in m.values);
    expect(refineEpochs.map((m) => m.step)).toEqual(result.record.refine!.epochs.map((e) => e.epoch));
    expect(Object.keys(refineEpochs[0]!.values).sort()).toEqual([
      'refine_learning_rate',
      'refine_train_loss',
      'refine_val_dice',
      'refine_val_loss',
    ]);
    expect(tracker.artifacts).toEqual([{ localDir: result.modelDir, artifactPath: 'model' }]);
    expect(tracker.status).toBe('FINISHED');
    expect(result.runId).toBe('run-123');
  });

  it('writes metrics.json with split, fingerprint, config, backend, seed and timings', () => {
    const record = JSON.parse(readFileSync(join(result.modelDir, METRICS_JSON), 'utf8')) as RunRecord;
    expect(record.split.validation).toEqual(result.split.validation);
    expect(record.datasetFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(record.config.model.input_size).toBe(32);
    expect(record.backend.name).toBe('wasm');
    expect(record.seed).toBe(42);
    expect(record.metrics.heldOut.mean).toEqual(result.metrics.heldOut.mean);
    expect(record.timings.trainSec).toBeGreaterThan(0);
    expect(record.gitSha).toMatch(/^([0-9a-f]{40}|unknown)$/);
    expect(existsSync(join(result.modelDir, 'model.json'))).toBe(true);
    expect(record.refine!.epochs.length).toBeGreaterThan(1);
    const choice = record.refine!;
    // Pass counts 0..max_passes were scored on validation; the chosen combination's count was kept.
    const dice = choice.validationDice.byPasses;
    expect(dice).toHaveLength(config.refine.max_passes + 1);
    expect(choice.passes).toBe(record.inference!.passes);
    expect(choice.used).toBe(choice.passes > 0);
    expect(choice.validationDice.without).toBe(dice[0]);
    expect(choice.validationDice.withRefine).toBe(Math.max(...dice.slice(1)));
    // Post-processing (both steps `auto`) was chosen with the passes, the first-stage TTA (none or
    // dihedral) and, with a refine pass, the candidate regions (1 or 3): 4 × 2 without refine,
    // 4 × 2 × 2 for each pass count.
    const inference = record.inference!;
    expect(inference.candidates).toHaveLength(4 * 2 + 4 * 2 * 2 * config.refine.max_passes);
    const best = Math.max(...inference.candidates.map((c) => c.dice));
    // The default selection (one standard error): the chosen combination is one of those scored,
    // the best one or a simpler one (earlier in the list) at most a little below it.
    expect(inference.selection).toBe('one_se');
    const index = inference.candidates.findIndex(
      (c) =>
        c.passes === inference.passes &&
        c.regions === inference.regions &&
        c.tta === inference.tta &&
        c.keep_largest_component === inference.postprocess.keep_largest_component &&
        c.fill_holes === inference.postprocess.fill_holes,
    );
    expect(index).toBeGreaterThanOrEqual(0);
    const chosen = inference.candidates[index]!;
    expect(chosen.dice).toBeLessThanOrEqual(best);
    expect(index).toBeLessThanOrEqual(inference.candidates.findIndex((c) => c.dice === best));
    // Every generated mask has foreground, so an empty first-stage mask falls back to its peak.
    expect(inference.empty_fallback).toBe(true);
    expect(record.config.inference.empty_fallback).toBe(true);
    expect(record.metrics.validation.mean.dice).toBe(chosen.dice);
    // The prior and the loss weight were derived from the training masks.
    expect(typeof record.config.model.foreground_prior).toBe('number');
    expect(typeof record.config.training.loss.pos_weight).toBe('number');
  });

  it('saves the refine network and the inference spec with the model', () => {
    expect(existsSync(join(result.modelDir, 'refine', 'model.json'))).toBe(true);
    expect(existsSync(join(result.modelDir, 'refine', 'weights.bin'))).toBe(true);
    const choice = result.record.inference!;
    expect(readInferenceSpec(result.modelDir)).toEqual({
      schemaVersion: 1,
      threshold: 0.5,
      postprocess: choice.postprocess,
      ...(choice.tta !== 'none' ? { tta: choice.tta } : {}),
      empty_fallback: true,
      refine: {
        dir: 'refine',
        input_size: 32,
        margin: 0.3,
        min_size: 0.05,
        source_size: 96,
        tta: 'flips',
        passes: result.record.refine!.passes,
        ...(choice.regions > 1 ? { regions: choice.regions } : {}),
      },
    });
  });

  it('saves a model that reloads to exactly the recorded metrics', async () => {
    const validation = pairs.filter((p) => result.split.validation.includes(p.id));
    expect(await evaluateModelDir(result.modelDir, validation)).toEqual(result.metrics.validation);
  });

  it('stops within the time budget and reports each epoch', () => {
    expect(result.record.timings.trainSec).toBeLessThan(20 + 10);
    expect(logger.messages('info').filter((m) => /^epoch \d+\/30:/.test(m))).toHaveLength(result.epochs.length);
    const summary = trainSummaryMarkdown(result);
    expect(summary).toContain('## Train');
    expect(summary).toContain('| held-out (val + test) |');
    expect(summary).toContain(`Learning curve (${result.epochs.length} epochs)`);
    expect(summary).toContain(`Refine network learning curve (${result.record.refine!.epochs.length} epochs)`);
    const refineLines = logger.messages('info').filter((m) => /^refine epoch \d+\/30:/.test(m));
    expect(refineLines).toHaveLength(result.record.refine!.epochs.length);
  });
});

describe('trainModel with a refine network that had no time to learn', () => {
  it('drops it by validation Dice and saves the first network alone', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wms-train-drop-'));
    try {
      const pairs = await writeTinyDataset(join(root, 'data'), 24, 9);
      // Sequential, the first network using its whole 99% (no early stop), so the refine
      // network gets the last 1% of the budget: about one batch.
      const starved = parseTrainConfig({
        ...config,
        baseline: undefined,
        training: { ...config.training, epochs: 10_000, early_stopping_patience: 10_000, time_budget_sec: 15 },
        refine: { ...config.refine, concurrent: false, time_share: 0.01 },
      });
      const logger = createMemoryLogger();
      const result = await trainModel(
        { pairs, config: starved, outputDir: join(root, 'out'), backend: 'wasm' },
        { logger },
      );
      const choice = result.record.refine!;
      expect(choice.validationDice.withRefine).toBeLessThan(choice.validationDice.without);
      expect(choice.used).toBe(false);
      expect(choice.passes).toBe(0);
      expect(logger.messages('info').some((m) => m.startsWith('refine network dropped'))).toBe(true);
      expect(existsSync(join(result.modelDir, 'refine'))).toBe(false);
      expect(readInferenceSpec(result.modelDir).refine).toBeUndefined();
      // The saved model is the first network alone, and scores as recorded.
      const validation = pairs.filter((p) => result.split.validation.includes(p.id));
      expect(result.metrics.validation.mean.dice).toBeCloseTo(choice.validationDice.without, 10);
      expect(await evaluateModelDir(result.modelDir, validation)).toEqual(result.metrics.validation);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('trainModel with data-parallel workers', () => {
  it('trains through two worker replicas and saves the synced weights', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wms-train-dp-'));
    try {
      const pairs = await writeTinyDataset(join(root, 'data'), 20, 4);
      const dpConfig = parseTrainConfig({
        ...config,
        baseline: undefined,
        training: { ...config.training, epochs: 4, workers: 2, time_budget_sec: 120 },
      });
      expect(dpConfig.refine.enabled).toBe(true);
      const logger = createMemoryLogger();
      const result = await trainModel(
        { pairs, config: dpConfig, outputDir: join(root, 'out'), backend: 'wasm' },
        { logger },
      );
      expect(logger.messages('info')).toContain('Training: 2 data-parallel workers on wasm');
      expect(result.epochs).toHaveLength(4);
      expect(result.record.refine?.epochs).toHaveLength(4);
      const validation = pairs.filter((p) => result.split.validation.includes(p.id));
      expect(await evaluateModelDir(result.modelDir, validation)).toEqual(result.metrics.validation);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('trainModel with patch training (training.patch_size)', () => {
  it('trains on patches, saves the network at the full input size, and reloads to the recorded metrics', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wms-train-patch-'));
    try {
      const pairs = await writeTinyDataset(join(root, 'data'), 24, 5);
      const patchConfig = parseTrainConfig({
        ...config,
        baseline: undefined,
        training: { ...config.training, epochs: 12, patch_size: 16, patch_foreground: 0.5, time_budget_sec: 60 },
        refine: { ...config.refine, enabled: false },
      });
      const logger = createMemoryLogger();
      await tf.setBackend('cpu');
      const tensorsBefore = tf.memory().numTensors;
      const result = await trainModel(
        { pairs, config: patchConfig, outputDir: join(root, 'out'), backend: 'wasm' },
        { logger },
      );
      // The patch-sized network is disposed with everything else.
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      expect(logger.messages('info')).toContain(
        'first network: trained on 16×16 patches of the photos at 32×32 (50% placed over the mask), applied to the whole 32×32 photo',
      );
      expect(result.epochs).toHaveLength(12);
      expect(trainSummaryMarkdown(result)).toContain('input 32px (trained on 16px patches), ');
      // What is saved is the whole-photo network: its input is model.input_size, not the patch.
      const saved = JSON.parse(readFileSync(join(result.modelDir, 'model.json'), 'utf8')) as {
        modelTopology: { config: { layers: { config: { batch_input_shape?: unknown } }[] } };
      };
      expect(saved.modelTopology.config.layers[0]!.config.batch_input_shape).toEqual([null, 32, 32, 3]);
      // The per-epoch validation scored the whole-photo network; the best epoch's weights are kept.
      const best = result.epochs.find((e) => e.epoch === result.bestEpoch)!;
      expect(best.valDice).toBe(Math.max(...result.epochs.map((e) => e.valDice)));
      // It learned something on patches that carries over to whole photos.
      const split = splitPairs(pairs, patchConfig);
      const heldOut = [...split.validation, ...split.test];
      const untrained = buildUNet(patchConfig.model, { seed: patchConfig.training.seed });
      const before = await evaluate(untrained, heldOut);
      untrained.dispose();
      expect(result.metrics.heldOut.mean.dice).toBeGreaterThan(before.mean.dice + 0.1);
      const validation = pairs.filter((p) => result.split.validation.includes(p.id));
      expect(await evaluateModelDir(result.modelDir, validation)).toEqual(result.metrics.validation);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
