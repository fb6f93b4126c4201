/**
 * `evaluateFolder` with a model whose prediction is known exactly: a 1×1 convolution that marks
 * a pixel as foreground iff its red channel is bright. Photos are 32×32 PNGs (the model's input
 * size), masks 64×64: the probability map is resized to the mask's resolution before scoring, and
 * with saturated probabilities the bilinear resize doubles each input pixel exactly, so every
 * Dice and IoU below is counted by hand.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { createMemoryLogger } from '@wms/core';
import { DEFAULT_INFERENCE, INFERENCE_JSON, saveModel } from '../src';
import { EVALUATION_JSON, EVALUATION_MD, evaluateFolder, type FolderEvaluation } from '../src/evaluate-folder';
import { summarizeScores } from '../src/score-summary';
import { constantModel, pointwiseConv } from './known-networks';

jest.setTimeout(60_000);

type Rect = [x0: number, y0: number, x1: number, y1: number];

async function writePhoto(path: string, red: Rect | undefined): Promise<void> {
  const rgb = Buffer.alloc(32 * 32 * 3, 40);
  if (red) {
    for (let y = red[1]; y < red[3]; y++) for (let x = red[0]; x < red[2]; x++) rgb[(y * 32 + x) * 3] = 255;
  }
  await sharp(rgb, { raw: { width: 32, height: 32, channels: 3 } })
    .png()
    .toFile(path);
}

async function writeMask(path: string, rect: Rect | undefined): Promise<void> {
  const grey = Buffer.alloc(64 * 64, 0);
  if (rect) for (let y = rect[1]; y < rect[3]; y++) for (let x = rect[0]; x < rect[2]; x++) grey[y * 64 + x] = 255;
  await sharp(grey, { raw: { width: 64, height: 64, channels: 1 } })
    .png()
    .toFile(path);
}

/** sigmoid(100·(red − 0.5)): 1 on bright red, 0 elsewhere. */
function redDetector(): tf.LayersModel {
  return pointwiseConv(32, [100, 0, 0], -50);
}

describe('evaluateFolder', () => {
  let root: string;
  let result: FolderEvaluation;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    root = mkdtempSync(join(tmpdir(), 'wms-eval-folder-'));
    const data = join(root, 'data');
    mkdirSync(join(data, 'images'), { recursive: true });
    mkdirSync(join(data, 'masks'), { recursive: true });
    // half: prediction 16×16 at mask resolution (8..24)², truth (16..32)×(8..24): overlap 8×16.
    await writePhoto(join(data, 'images', 'half.png'), [4, 4, 12, 12]);
    await writeMask(join(data, 'masks', 'half.png'), [16, 8, 32, 24]);
    // exact: the left half of the photo, predicted and true.
    await writePhoto(join(data, 'images', 'exact.png'), [0, 0, 16, 32]);
    await writeMask(join(data, 'masks', 'exact.png'), [0, 0, 32, 64]);
    // nothing: nothing to find, nothing found.
    await writePhoto(join(data, 'images', 'nothing.png'), undefined);
    await writeMask(join(data, 'masks', 'nothing.png'), undefined);
    // false-alarm: a prediction on an empty mask.
    await writePhoto(join(data, 'images', 'false-alarm.png'), [0, 0, 8, 8]);
    await writeMask(join(data, 'masks', 'false-alarm.png'), undefined);
    const model = redDetector();
    await saveModel(model, join(root, 'model'), {
      [INFERENCE_JSON]: JSON.stringify({ ...DEFAULT_INFERENCE }),
    });
    model.dispose();
    result = await evaluateFolder(
      { modelDir: join(root, 'model'), dataDir: data, outDir: join(root, 'out'), worst: 2 },
      { logger: createMemoryLogger() },
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('scores each pair at the mask resolution with hand-counted Dice and IoU', () => {
    const byId = Object.fromEntries(result.perImage.map((r) => [r.id, r]));
    expect(byId.half).toMatchObject({ width: 64, height: 64, truthPixels: 256, predictedPixels: 256 });
    expect(byId.half!.overlapPixels).toBe(128);
    expect(byId.half!.dice).toBeCloseTo(0.5, 10);
    expect(byId.half!.iou).toBeCloseTo(1 / 3, 10);
    expect(byId.exact).toMatchObject({ dice: 1, iou: 1, truthPixels: 2048, predictedPixels: 2048 });
    expect(byId.nothing).toMatchObject({ dice: 1, iou: 1, truthPixels: 0, predictedPixels: 0 });
    expect(byId['false-alarm']).toMatchObject({ dice: 0, iou: 0, truthPixels: 0, predictedPixels: 256 });
  });

  it('summarises mean, spread, median and misses', () => {
    const s = result.summary;
    expect(s.count).toBe(4);
    expect(s.mean.dice).toBeCloseTo((0.5 + 1 + 1 + 0) / 4, 10);
    expect(s.mean.iou).toBeCloseTo((1 / 3 + 1 + 1 + 0) / 4, 10);
    expect(s.median.dice).toBeCloseTo(0.75, 10);
    expect(s.std.dice).toBeCloseTo(Math.sqrt((0.125 ** 2 + 0.375 ** 2 * 2 + 0.625 ** 2) / 4), 10);
    expect(s.min.dice).toBe(0);
    expect(s.misses).toBe(1); // Dice 0.5 is not a miss; 0 is
    expect(s.missShare).toBe(0.25);
    expect(summarizeScores([]).missShare).toBeNaN();
  });

  it('writes JSON, markdown and overlays of the worst photos', async () => {
    const out = join(root, 'out');
    expect(result.worst.map((w) => w.id)).toEqual(['false-alarm', 'half']);
    const json = JSON.parse(readFileSync(join(out, EVALUATION_JSON), 'utf8')) as FolderEvaluation;
    expect(json.summary.mean.dice).toBeCloseTo(0.625, 10);
    expect(json.perImage.map((r) => r.id)).toEqual(['exact', 'false-alarm', 'half', 'nothing']);
    const md = readFileSync(join(out, EVALUATION_MD), 'utf8');
    expect(md).toContain('| 4 | 0.6250 |');
    expect(md).toContain('| half | 0.5000 | 0.3333 | 64×64 | 256 | 256 | 128 |');
    const overlay = join(out, json.worst[1]!.overlay!);
    expect(existsSync(overlay)).toBe(true);
    const { data, info } = await sharp(overlay).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([64, 64]);
    const px = (x: number, y: number): number[] => [...data.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3)];
    // (10, 10): predicted, not true → red tint over the red photo; (20, 10): both → green;
    // (28, 10): true, missed → blue; (40, 40): neither → the photo's grey.
    expect(px(10, 10)).toEqual([255, 20, 20]);
    expect(px(20, 10)).toEqual([128, 148, 20]);
    expect(px(28, 10)).toEqual([20, 60, 148]);
    expect(px(40, 40)).toEqual([40, 40, 40]);
  });
});

/**
 * The stage breakdown with networks whose output is known: the red detector as the first network
 * and a refine network that fills its whole crop (margin 0), so "refine around the true region"
 * is exactly the true box, and a first-stage region spanning two blobs is refined into their
 * joint box.
 */
describe('evaluateFolder with stages', () => {
  let root: string;
  let result: FolderEvaluation;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    root = mkdtempSync(join(tmpdir(), 'wms-eval-stages-'));
    const data = join(root, 'data');
    mkdirSync(join(data, 'images'), { recursive: true });
    mkdirSync(join(data, 'masks'), { recursive: true });
    // found: red on the true region.
    await writePhoto(join(data, 'images', 'found.png'), [0, 0, 8, 8]);
    await writeMask(join(data, 'masks', 'found.png'), [0, 0, 16, 16]);
    // elsewhere: red at (40..56)² in mask pixels, the truth at (0..16)²: the first network misses.
    await writePhoto(join(data, 'images', 'elsewhere.png'), [20, 20, 28, 28]);
    await writeMask(join(data, 'masks', 'elsewhere.png'), [0, 0, 16, 16]);
    // lost: the first network finds the truth and a far blob; the refine crop spans both.
    const rgb = Buffer.alloc(32 * 32 * 3, 40);
    for (const [x0, y0] of [
      [0, 0],
      [24, 24],
    ] as const) {
      for (let y = y0; y < y0 + 8; y++) for (let x = x0; x < x0 + 8; x++) rgb[(y * 32 + x) * 3] = 255;
    }
    await sharp(rgb, { raw: { width: 32, height: 32, channels: 3 } })
      .png()
      .toFile(join(data, 'images', 'lost.png'));
    await writeMask(join(data, 'masks', 'lost.png'), [0, 0, 16, 16]);
    // nothing: no mask, nothing predicted; no refine-on-truth score.
    await writePhoto(join(data, 'images', 'nothing.png'), undefined);
    await writeMask(join(data, 'masks', 'nothing.png'), undefined);
    const model = redDetector();
    const refine = constantModel(16, 10);
    const spec = {
      ...DEFAULT_INFERENCE,
      refine: { dir: 'refine', input_size: 16, margin: 0, min_size: 0, source_size: 32, passes: 1 },
    };
    await saveModel(model, join(root, 'model'), { [INFERENCE_JSON]: JSON.stringify(spec) }, { refine });
    model.dispose();
    refine.dispose();
    result = await evaluateFolder(
      { modelDir: join(root, 'model'), dataDir: data, outDir: join(root, 'out'), worst: 0, stages: true },
      { logger: createMemoryLogger() },
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('scores the first network alone, its cover of the mask and the refine network on the true box', () => {
    const byId = Object.fromEntries(result.perImage.map((r) => [r.id, r]));
    expect(byId.found).toMatchObject({
      dice: 1,
      stages: { firstStageDice: 1, firstStageCover: 1, refineOnTruthDice: 1 },
    });
    expect(byId.elsewhere).toMatchObject({
      dice: 0,
      stages: { firstStageDice: 0, firstStageCover: 0, refineOnTruthDice: 1 },
    });
    // First stage: 512 predicted, 256 of them true → 2·256/768; refined: the whole 64×64 frame.
    expect(byId.lost!.stages!.firstStageDice).toBeCloseTo((2 * 256) / 768, 10);
    expect(byId.lost!.stages!.firstStageCover).toBe(1);
    expect(byId.lost!.dice).toBeCloseTo((2 * 256) / (4096 + 256), 10);
    expect(byId.lost!.stages!.refineOnTruthDice).toBe(1);
    expect(byId.nothing!.stages).toEqual({ firstStageDice: 1, firstStageCover: 1 });
  });

  it('splits the misses into the first network’s and the later steps’, in JSON and markdown', () => {
    expect(result.stages).toEqual({
      firstStageDice: (1 + 0 + (2 * 256) / 768 + 1) / 4,
      refineOnTruthDice: 1,
      misses: { firstStage: 1, later: 1 },
    });
    const json = JSON.parse(readFileSync(join(root, 'out', EVALUATION_JSON), 'utf8')) as FolderEvaluation;
    expect(json.stages).toEqual(result.stages);
    const md = readFileSync(join(root, 'out', EVALUATION_MD), 'utf8');
    expect(md).toContain('Of the 2 photos under Dice 0.5, **1 were missed by the first network**');
    expect(md).toContain('**1 were found by it and lost by the later steps**');
    expect(md).toContain('| elsewhere | 0.0000 | 0.0000 | 64×64 | 256 | 256 | 0 | 0.0000 | 0.00 | 1.0000 |');
  });
});
