/**
 * The first stage's component ranker (component-ranker.ts): its features counted by hand on a
 * small mask, keep-largest when its weights are 0, a fit that learns "the sure region, not the
 * big one" from examples, the saved spec's validation, and the end-of-training choice with a
 * network whose maps are known: a small pure-red window (probability ~1) and a larger dull-red
 * look-alike (~0.7), where keep-largest keeps the look-alike and the ranker, fitted on the
 * training photos only, keeps the window.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { createMemoryLogger, UserError } from '@wms/core';
import type { Pair } from '@wms/dataset';
import { chooseInference } from '../src/choose-inference';
import {
  fitComponentRanker,
  keepRankedComponent,
  RANKER_FEATURES,
  rankerAccuracy,
  rankerExample,
  regionFeatures,
  type ComponentRanker,
  type RankerExample,
} from '../src/component-ranker';
import { trainConfigSchema } from '../src/config';
import { readMaskOriginal, readRgbResized } from '../src/image-io';
import { INFERENCE_JSON, readInferenceSpec } from '../src/inference-spec';
import { binarize, diceAndIou, overlapOfMasks } from '../src/metrics';
import { keepLargestComponent } from '../src/postprocess';
import { predictProbabilities } from '../src/segmenter';
import { pointwiseConv } from './known-networks';

jest.setTimeout(60_000);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const zeroRanker: ComponentRanker = {
  features: [...RANKER_FEATURES],
  mean: RANKER_FEATURES.map(() => 0),
  scale: RANKER_FEATURES.map(() => 1),
  weights: RANKER_FEATURES.map(() => 0),
  examples: 0,
};

/** A grid of letters as a 0/1 mask ('.' is background). */
function gridMask(rows: string[]): Uint8Array {
  return Uint8Array.from(rows.join(''), (c) => (c === '.' ? 0 : 1));
}

describe('regionFeatures', () => {
  it('counts each feature by hand: area ratio, mean and max probability, box fill, aspect, centre distance', () => {
    // 6 × 4: A is a 2×2 square at the top left, B a 1×2 bar at x 4, y 1–2.
    const rows = ['AA....', 'AA..B.', '....B.', '......'];
    const mask = gridMask(rows);
    const p = new Float32Array(24);
    for (const i of [0, 1, 6, 7]) p[i] = 0.6;
    p[1 * 6 + 4] = 0.9;
    p[2 * 6 + 4] = 0.7;
    const { labels, regions } = regionFeatures(mask, p, 6, 4);
    const halfDiagonal = Math.sqrt(13); // hypot(6, 4) / 2
    expect(regions.map((r) => r.size)).toEqual([4, 2]);
    const [a, b] = regions;
    const expectedA = [0, 0.6, 0.6, 1, 0, Math.sqrt(5) / halfDiagonal]; // centroid (1, 1), centre (3, 2)
    const expectedB = [-Math.LN2, 0.8, 0.9, 1, Math.LN2, 1.5 / halfDiagonal]; // centroid (4.5, 2)
    a!.features.forEach((v, j) => expect(v).toBeCloseTo(expectedA[j]!, 6));
    b!.features.forEach((v, j) => expect(v).toBeCloseTo(expectedB[j]!, 6));
    expect(labels[0]).toBe(a!.label);
    expect(labels[1 * 6 + 4]).toBe(b!.label);
  });

  it('keeps the largest regions only, largest first, ties in raster order', () => {
    const rows = ['A.B.C.D.E.F', '...........'];
    const { regions } = regionFeatures(gridMask(rows), new Float32Array(22).fill(0.9), 11, 2, 3);
    expect(regions.map((r) => r.label)).toEqual([1, 2, 3]);
    expect(regionFeatures(new Uint8Array(22), new Float32Array(22), 11, 2).regions).toEqual([]);
  });
});

describe('keepRankedComponent', () => {
  const rows = ['AAA...', 'AAA..B', '.....B', '......'];
  const mask = gridMask(rows);
  const p = new Float32Array(24).fill(0.6);
  p[1 * 6 + 5] = 0.99;
  p[2 * 6 + 5] = 0.99;

  it('with weights 0 is keep-largest-component', () => {
    expect(Array.from(keepRankedComponent(mask, p, 6, 4, zeroRanker))).toEqual(
      Array.from(keepLargestComponent(mask, 6, 4)),
    );
  });

  it('keeps the region with the best score: here the surer one', () => {
    const surer = { ...zeroRanker, weights: [0, 1, 0, 0, 0, 0] };
    const kept = keepRankedComponent(mask, p, 6, 4, surer);
    expect(Array.from(kept)).toEqual(Array.from(gridMask(['......', '.....B', '.....B', '......'])));
    expect(Array.from(mask)).toEqual(Array.from(gridMask(rows))); // the input is not modified
  });

  it('binarize applies it in place of keep-largest, and not when that step is off', () => {
    const map = { width: 6, height: 4, data: p.map((v, i) => (mask[i] ? v : 0.1)) };
    const surer = { ...zeroRanker, weights: [0, 1, 0, 0, 0, 0] };
    const keep = { keep_largest_component: true, fill_holes: false };
    expect(Array.from(binarize(map, 6, 4, 0.5, keep, surer))).toEqual(
      Array.from(gridMask(['......', '.....B', '.....B', '......'])),
    );
    expect(Array.from(binarize(map, 6, 4, 0.5, keep))).toEqual(
      Array.from(gridMask(['AAA...', 'AAA...', '......', '......'])),
    );
    expect(Array.from(binarize(map, 6, 4, 0.5, { keep_largest_component: false, fill_holes: false }, surer))).toEqual(
      Array.from(mask),
    );
  });
});

describe('rankerExample', () => {
  const rows = ['AA..B.', 'AA..B.', '......'];
  const mask = gridMask(rows);
  const p = new Float32Array(18).fill(0.8);

  it('answers with the region overlapping the truth most', () => {
    const truth = gridMask(['....B.', '....B.', '......']);
    const example = rankerExample(mask, p, truth, 6, 3);
    expect(example?.answer).toBe(1); // B is the second largest
    expect(example?.features).toHaveLength(2);
  });

  it('teaches nothing with one region or when no region touches the truth', () => {
    expect(rankerExample(gridMask(['AA....', 'AA....', '......']), p, mask, 6, 3)).toBeUndefined();
    expect(rankerExample(mask, p, gridMask(['......', '......', '..X...']), 6, 3)).toBeUndefined();
  });
});

describe('fitComponentRanker', () => {
  // Photos of 3 regions: the answer is always the surest (mean p 0.9–0.97) and never the
  // largest; the others are larger and duller (0.6–0.75). Positions and shapes vary.
  const examples: RankerExample[] = Array.from({ length: 12 }, (_, k) => {
    const answer = 1 + (k % 2);
    return {
      answer,
      features: [0, 1, 2].map((r) =>
        r === answer
          ? [-1 - (k % 3) * 0.4, 0.9 + (k % 4) * 0.02, 0.99, 0.8, 1 + (k % 2) * 0.3, 0.1 * (k % 5)]
          : [r === 0 ? 0 : -0.3, 0.6 + ((k + r) % 4) * 0.05, 0.9, 0.7 + 0.05 * r, 0.5, 0.2 + 0.1 * ((k + r) % 3)],
      ),
    };
  });

  it('learns the sure region over the large one, deterministically', () => {
    const ranker = fitComponentRanker(examples)!;
    expect(ranker.examples).toBe(12);
    expect(ranker.weights[RANKER_FEATURES.indexOf('mean_p')]).toBeGreaterThan(0);
    expect(rankerAccuracy(ranker, examples)).toBe(1);
    expect(rankerAccuracy(undefined, examples)).toBe(0); // keep-largest is always wrong here
    expect(fitComponentRanker(examples)).toEqual(ranker);
  });

  it('fits nothing from too few examples', () => {
    expect(fitComponentRanker(examples.slice(0, 4))).toBeUndefined();
    expect(fitComponentRanker(examples.slice(0, 4), { minExamples: 4 })).toBeDefined();
  });
});

describe('inference.json with a component ranker', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wms-ranker-spec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const spec = (ranker: unknown): string =>
    JSON.stringify({
      schemaVersion: 1,
      threshold: 0.5,
      postprocess: { keep_largest_component: true, fill_holes: false },
      component_ranker: ranker,
    });

  it('reads back what training writes', () => {
    const ranker = { ...zeroRanker, weights: [0.5, 2, 0, -1, 0.1, -0.3], examples: 7 };
    writeFileSync(join(dir, INFERENCE_JSON), spec(ranker));
    expect(readInferenceSpec(dir).component_ranker).toEqual(ranker);
  });

  it('names the file and the key when the features are not the known ones in order', () => {
    writeFileSync(join(dir, INFERENCE_JSON), spec({ ...zeroRanker, features: [...RANKER_FEATURES].reverse() }));
    let error: unknown;
    try {
      readInferenceSpec(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(join(dir, INFERENCE_JSON));
    expect((error as Error).message).toContain("'component_ranker'");
    expect((error as Error).message).toContain('log_area_ratio, mean_p');
  });
});

describe('chooseInference with postprocess.component_choice', () => {
  const SIZE = 64;
  let root: string;
  let train: Pair[];
  let validation: Pair[];
  // p = sigmoid(40·red − 20) on red in [0, 1]: pure red ~1, red 133/255 ~0.7, grey 40 ~0.
  const detector = (): tf.LayersModel => pointwiseConv(32, [40, 0, 0], -20);

  /** A photo with a pure-red 8×8 window (the mask) and a dull-red 16×16 look-alike elsewhere. */
  async function writePair(id: string, window: [number, number], lookAlike: [number, number]): Promise<Pair> {
    const rgb = Buffer.alloc(SIZE * SIZE * 3, 40);
    const grey = Buffer.alloc(SIZE * SIZE, 0);
    const fill = ([x0, y0]: [number, number], side: number, red: number, mask: boolean): void => {
      for (let y = y0; y < y0 + side; y++) {
        for (let x = x0; x < x0 + side; x++) {
          rgb[(y * SIZE + x) * 3] = red;
          rgb[(y * SIZE + x) * 3 + 1] = 0;
          rgb[(y * SIZE + x) * 3 + 2] = 0;
          if (mask) grey[y * SIZE + x] = 255;
        }
      }
    };
    fill(lookAlike, 16, 133, false);
    fill(window, 8, 255, true);
    const pair = { id, image: join(root, 'images', `${id}.png`), mask: join(root, 'masks', `${id}.png`) };
    await sharp(rgb, { raw: { width: SIZE, height: SIZE, channels: 3 } })
      .png()
      .toFile(pair.image);
    await sharp(grey, { raw: { width: SIZE, height: SIZE, channels: 1 } })
      .png()
      .toFile(pair.mask);
    return pair;
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wms-ranker-choice-'));
    mkdirSync(join(root, 'images'));
    mkdirSync(join(root, 'masks'));
    const layouts: [[number, number], [number, number]][] = [
      [
        [8, 8],
        [32, 32],
      ],
      [
        [48, 8],
        [8, 40],
      ],
      [
        [40, 48],
        [8, 8],
      ],
      [
        [8, 48],
        [40, 16],
      ],
      [
        [24, 24],
        [44, 44],
      ],
      [
        [48, 40],
        [16, 8],
      ],
      [
        [16, 40],
        [40, 8],
      ],
      [
        [40, 24],
        [8, 44],
      ],
      [
        [8, 24],
        [32, 40],
      ],
    ];
    const pairs = await Promise.all(layouts.map(([w, l], i) => writePair(`p${i}`, w, l)));
    train = pairs.slice(0, 6);
    validation = pairs.slice(6);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const config = (component_choice: string) =>
    trainConfigSchema.parse({
      postprocess: { keep_largest_component: true, fill_holes: false, component_choice },
      refine: { enabled: false },
      inference: { tta: 'none' },
    });

  it('auto: fits the ranker on the training photos and keeps it when validation Dice rises', async () => {
    const model = detector();
    const logger = createMemoryLogger();
    const chosen = await chooseInference(model, undefined, config('auto'), validation, logger, train);
    expect(chosen.choice.component_choice).toBe('ranked');
    expect(chosen.choice.chosenOnValidation).toContain('component_choice');
    // Each training photo as itself, zoomed out and turned both ways: every view keeps both regions.
    expect(chosen.choice.ranker).toEqual({ photos: 6, examples: 24, accuracy: 1, largestAccuracy: 0 });
    expect(chosen.spec.component_ranker?.examples).toBe(24);
    const [largest, ranked] = chosen.choice.candidates;
    expect(largest).toMatchObject({ keep_largest_component: true, dice: 0 });
    expect(ranked).toMatchObject({ keep_largest_component: true, ranked: true });
    expect(ranked!.dice).toBeGreaterThan(0.8);
    expect(chosen.monitorResult.mean.dice).toBe(ranked!.dice);
    expect(
      logger
        .messages('info')
        .some((m) => m.includes('component ranker: 24 of 24 training views (6 photos × photo, zoomed out 0.6×')),
    ).toBe(true);
    // The chosen spec's mask of a validation photo is the window, not the look-alike.
    const [probabilities] = await predictProbabilities(model, [await readRgbResized(validation[0]!.image, 32)]);
    const truth = await readMaskOriginal(validation[0]!.mask);
    const mask = binarize(probabilities!, SIZE, SIZE, 0.5, chosen.spec.postprocess, chosen.spec.component_ranker);
    expect(diceAndIou(overlapOfMasks(mask, truth)).dice).toBeGreaterThan(0.8);
    model.dispose();
  });

  it('largest (as before the ranker): fits no ranker and keeps the largest region', async () => {
    const model = detector();
    const chosen = await chooseInference(model, undefined, config('largest'), validation, createMemoryLogger(), train);
    expect(chosen.choice.component_choice).toBeUndefined();
    expect(chosen.choice.ranker).toBeUndefined();
    expect(chosen.spec.component_ranker).toBeUndefined();
    expect(chosen.choice.candidates.map((c) => c.ranked)).toEqual([undefined]);
    model.dispose();
  });

  it('auto without training photos to fit on: keep-largest only', async () => {
    const model = detector();
    const chosen = await chooseInference(model, undefined, config('auto'), validation, createMemoryLogger(), []);
    expect(chosen.choice.component_choice).toBe('largest');
    expect(chosen.choice.ranker).toEqual({ photos: 0, examples: 0, accuracy: 1, largestAccuracy: 1 });
    expect(chosen.spec.component_ranker).toBeUndefined();
    model.dispose();
  });
});
