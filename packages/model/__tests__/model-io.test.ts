import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import {
  buildUNet,
  DEFAULT_TRAIN_CONFIG,
  evaluate,
  evaluateModelDir,
  loadModel,
  MODEL_JSON,
  predictToFiles,
  saveModel,
  WEIGHTS_BIN,
  type Pair,
} from '../src';
import { writeTinyDataset } from '@wms/test-support';

const tinyModel = { ...DEFAULT_TRAIN_CONFIG.model, input_size: 32, base_filters: 4, depth: 2 };

jest.setTimeout(60_000);

describe('model save/load', () => {
  let root: string;
  let pairs: Pair[];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    root = mkdtempSync(join(tmpdir(), 'wms-model-io-'));
    pairs = await writeTinyDataset(join(root, 'data'), 4, 3);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('round-trips through model.json + weights.bin and reproduces metrics exactly', async () => {
    const model = buildUNet(tinyModel, { seed: 5 });
    // Move the batch-norm statistics away from their initial values so they are checked too.
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1);
    tf.dispose(model.apply(x, { training: true }) as tf.Tensor);
    const before = await evaluate(model, pairs);
    const dir = join(root, 'saved');
    await saveModel(model, dir, { 'metrics.json': '{"note":"extra file"}\n' });
    expect(readdirSync(dir).sort()).toEqual(['metrics.json', MODEL_JSON, WEIGHTS_BIN].sort());
    expect(readdirSync(root).filter((n) => n.includes('.tmp') || n.includes('.old'))).toEqual([]);

    const loaded = await loadModel(dir);
    expect(loaded.getWeights().length).toBe(model.getWeights().length);
    const after = await evaluate(loaded, pairs);
    expect(after).toEqual(before);
    expect(await evaluateModelDir(dir, pairs)).toEqual(before);
    const json = JSON.parse(readFileSync(join(dir, MODEL_JSON), 'utf8')) as { format: string };
    expect(json.format).toBe('layers-model');
    tf.dispose([x]);
    model.dispose();
    loaded.dispose();
  });

  it('replaces an existing model directory as a whole', async () => {
    const dir = join(root, 'replaced');
    const first = buildUNet(tinyModel, { seed: 1 });
    await saveModel(first, dir, { 'stale.txt': 'old' });
    const second = buildUNet({ ...tinyModel, base_filters: 2 }, { seed: 2 });
    await saveModel(second, dir);
    expect(existsSync(join(dir, 'stale.txt'))).toBe(false);
    const loaded = await loadModel(dir);
    expect(loaded.countParams()).toBe(second.countParams());
    [first, second, loaded].forEach((m) => m.dispose());
  });

  it('fails with a user error naming a directory without a model', async () => {
    await expect(loadModel(join(root, 'missing'))).rejects.toThrow(/No model\.json in model directory .*missing/);
  });

  it('predicts a mask and an overlay at the photo resolution', async () => {
    const model = buildUNet(tinyModel, { seed: 9 });
    const dir = join(root, 'predict-model');
    await saveModel(model, dir);
    model.dispose();
    const pair = pairs[0]!;
    const outMask = join(root, 'out', 'mask.png');
    const outOverlay = join(root, 'out', 'overlay.png');
    const summary = await predictToFiles(dir, pair.image, outMask, outOverlay);
    const source = await sharp(pair.image).metadata();
    const maskMeta = await sharp(outMask).metadata();
    const overlayMeta = await sharp(outOverlay).metadata();
    expect([maskMeta.width, maskMeta.height]).toEqual([source.width, source.height]);
    expect([overlayMeta.width, overlayMeta.height, overlayMeta.channels]).toEqual([source.width, source.height, 3]);
    expect(summary.foreground).toBeGreaterThanOrEqual(0);
    expect(summary.foreground).toBeLessThanOrEqual(1);
    const { data } = await sharp(outMask).raw().toBuffer({ resolveWithObject: true });
    expect(new Set(data)).toEqual(new Set([...data].filter((v) => v === 0 || v === 255)));
  });
});
