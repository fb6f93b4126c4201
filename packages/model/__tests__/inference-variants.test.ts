/**
 * The inference variants chosen on validation at the end of training, each with networks whose
 * output is known: the first network's dihedral test-time augmentation, the empty-mask fallback
 * to the map's peak, and candidate regions for the refine network (the region whose refined crop
 * is most confidently foreground wins over a larger stray blob).
 */
import * as tf from '@tensorflow/tfjs';
import { oneStandardErrorIndex } from '../src/choose-inference';
import { asymmetricConv, pointwiseConv } from './known-networks';
import { componentBoxes } from '../src/postprocess';
import { DEFAULT_INFERENCE, type InferenceSpec } from '../src/inference-spec';
import { predictProbabilities, refineConfidence, segmentToMask } from '../src/segmenter';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** sigmoid(k·(red − green − blue) + bias): ~1 on pure red, ~0 on black, grey or blue. */
function redDetector(size: number): tf.LayersModel {
  return pointwiseConv(size, [40, -40, -40], -20);
}

/** The image (n × n, interleaved RGB) under one square symmetry, by index arithmetic. */
function transformImage(data: Uint8Array, n: number, t: (x: number, y: number) => [number, number]): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const [sx, sy] = t(x, y);
      for (let c = 0; c < 3; c++) out[(y * n + x) * 3 + c] = data[(sy * n + sx) * 3 + c]!;
    }
  }
  return out;
}

describe('predictProbabilities with dihedral test-time augmentation', () => {
  const n = 6;
  const data = Uint8Array.from({ length: n * n * 3 }, (_, i) => (i * 37) % 256);
  const image = { width: n, height: n, data };
  // The 8 symmetries of the square as "output pixel (x, y) reads input pixel t(x, y)"; each is its
  // own inverse except the two quarter turns, which are each other's.
  const m = n - 1;
  const symmetries: [
    t: (x: number, y: number) => [number, number],
    inverse: (x: number, y: number) => [number, number],
  ][] = [
    [(x, y) => [x, y], (x, y) => [x, y]],
    [(x, y) => [m - x, y], (x, y) => [m - x, y]],
    [(x, y) => [x, m - y], (x, y) => [x, m - y]],
    [(x, y) => [m - x, m - y], (x, y) => [m - x, m - y]],
    [(x, y) => [y, x], (x, y) => [y, x]],
    [(x, y) => [m - y, m - x], (x, y) => [m - y, m - x]],
    [(x, y) => [m - y, x], (x, y) => [y, m - x]],
    [(x, y) => [y, m - x], (x, y) => [m - y, x]],
  ];

  it('is the mean of the 8 predictions of the transformed image, each transformed back', async () => {
    const model = asymmetricConv(n);
    const [averaged] = await predictProbabilities(model, [image], 'dihedral');
    const sum = new Float64Array(n * n);
    for (const [t, inverse] of symmetries) {
      const [p] = await predictProbabilities(model, [{ width: n, height: n, data: transformImage(data, n, t) }]);
      for (let y = 0; y < n; y++) {
        for (let x = 0; x < n; x++) {
          // Transformed pixel (u, v) shows original pixel t(u, v), so original pixel (x, y) is
          // transformed pixel t⁻¹(x, y).
          const [tx, ty] = inverse(x, y);
          const i = y * n + x;
          sum[i] = (sum[i] ?? 0) + p!.data[ty * n + tx]!;
        }
      }
    }
    Array.from(averaged!.data).forEach((v, i) => expect(v).toBeCloseTo(sum[i]! / 8, 6));
    const [flips] = await predictProbabilities(model, [image], 'flips');
    expect(Array.from(averaged!.data)).not.toEqual(Array.from(flips!.data));
    model.dispose();
  });

  it('changes nothing for a pointwise network, and `true` still means the 4 flips', async () => {
    const model = redDetector(n);
    const [plain] = await predictProbabilities(model, [image]);
    const [dihedral] = await predictProbabilities(model, [image], 'dihedral');
    Array.from(dihedral!.data).forEach((v, i) => expect(v).toBeCloseTo(plain!.data[i]!, 6));
    const asym = asymmetricConv(n);
    const [legacy] = await predictProbabilities(asym, [image], true);
    const [flips] = await predictProbabilities(asym, [image], 'flips');
    expect(Array.from(legacy!.data)).toEqual(Array.from(flips!.data));
    model.dispose();
    asym.dispose();
  });
});

describe('componentBoxes and refineConfidence', () => {
  it('lists the 8-connected regions largest first, ties in raster order', () => {
    // 6 × 4:   A A . . B .
    //          . . . . B .
    //          C . . . B .
    //          C . D D . .     (D touches B diagonally: one region with B)
    const grid = ['AA..B.', '....B.', 'C...B.', 'C.DD..'];
    const mask = Uint8Array.from(grid.join(''), (c) => (c === '.' ? 0 : 1));
    expect(componentBoxes(mask, 6, 4)).toEqual([
      { x: 2, y: 0, width: 3, height: 4 }, // B + D: 5 pixels
      { x: 0, y: 0, width: 2, height: 1 }, // A: 2, first in raster order
      { x: 0, y: 2, width: 1, height: 2 }, // C: 2
    ]);
    expect(componentBoxes(new Uint8Array(24), 6, 4)).toEqual([]);
  });

  it('scores a crop by its confident foreground: the mean of 2·(p − 0.5) over p > 0.5', () => {
    const map = { width: 2, height: 2, data: Float32Array.from([0.2, 0.6, 1, 0.5]) };
    expect(refineConfidence(map)).toBeCloseTo((0.2 + 1) / 4, 6);
    expect(refineConfidence({ width: 1, height: 1, data: Float32Array.from([0.5]) })).toBe(0);
  });
});

describe('segmentToMask: the empty-mask fallback and candidate regions', () => {
  const W = 200;
  const H = 100;

  it('an empty first-stage mask falls back to the region above half the peak, its largest part kept', async () => {
    const model = redDetector(8);
    // 8×8 map, nothing ≥ 0.5: a 2×2 block at 0.3 (columns 2–3, rows 2–3) and a lone 0.2 pixel.
    const map = { width: 8, height: 8, data: new Float32Array(64).fill(0.05) };
    for (const i of [2 * 8 + 2, 2 * 8 + 3, 3 * 8 + 2, 3 * 8 + 3]) map.data[i] = 0.3;
    map.data[7 * 8 + 7] = 0.2;
    const photo = async (): Promise<never> => {
      throw new Error('no refine network: the photo is never decoded');
    };
    const without = await segmentToMask({ model, spec: DEFAULT_INFERENCE }, map, W, H, photo);
    expect(without.includes(1)).toBe(false);
    const spec: InferenceSpec = { ...DEFAULT_INFERENCE, empty_fallback: true };
    const mask = await segmentToMask({ model, spec }, map, W, H, photo);
    // The block covers mask pixels x 50–99, y 25–49; the bilinear resize blurs its edge by one
    // map pixel, and 0.15 (half the peak) is crossed inside that blur.
    const on: [number, number][] = [];
    mask.forEach((v, i) => v && on.push([i % W, Math.floor(i / W)]));
    expect(on.length).toBeGreaterThan(50 * 25);
    for (const [x, y] of on) {
      expect(x).toBeGreaterThanOrEqual(25);
      expect(x).toBeLessThan(125);
      expect(y).toBeGreaterThanOrEqual(12);
      expect(y).toBeLessThan(63);
    }
    expect(mask[H * W - 1]).toBe(0); // the lone pixel's region is not the largest
    model.dispose();
  });

  it('with 3 regions the refine network picks the small true region over a larger stray blob', async () => {
    // Photo 400×200 (2× the mask): black, with a red patch at x 300–349, y 124–149 (mask
    // pixels x 150–174, y 62–74). The first stage marks a large blob far from it (map columns
    // 1–2, rows 1–2) and one map pixel on it (column 6, row 5).
    const photo = { width: 400, height: 200, data: new Uint8Array(400 * 200 * 3) };
    for (let y = 124; y < 150; y++) for (let x = 300; x < 350; x++) photo.data[(y * 400 + x) * 3] = 255;
    const map = { width: 8, height: 8, data: new Float32Array(64) };
    for (const i of [1 * 8 + 1, 1 * 8 + 2, 2 * 8 + 1, 2 * 8 + 2]) map.data[i] = 0.9;
    map.data[5 * 8 + 6] = 0.9;
    const model = redDetector(8);
    const refine = redDetector(32);
    const refineSpec = { dir: 'refine', input_size: 32, margin: 0.5, min_size: 0, source_size: 400 };
    const base: InferenceSpec = {
      ...DEFAULT_INFERENCE,
      postprocess: { keep_largest_component: true, fill_holes: false },
      refine: refineSpec,
    };
    const one = await segmentToMask({ model, spec: base, refine }, map, W, H, async () => photo);
    // One region: the crop around the largest blob holds no red, so nothing is left.
    expect(one.includes(1)).toBe(false);
    const spec3: InferenceSpec = { ...base, refine: { ...refineSpec, regions: 3 } };
    let decoded = 0;
    const three = await segmentToMask({ model, spec: spec3, refine }, map, W, H, async () => {
      decoded++;
      return photo;
    });
    let inside = 0;
    let outside = 0;
    three.forEach((v, i) => {
      if (!v) return;
      const x = i % W;
      const y = Math.floor(i / W);
      if (x >= 150 && x < 175 && y >= 62 && y < 75) inside++;
      // The crop samples the photo every ~3 × 1.6 photo pixels: its edge may blur by 2 mask pixels.
      else if (x < 148 || x >= 177 || y < 60 || y >= 77) outside++;
    });
    expect(outside).toBe(0);
    expect(inside).toBeGreaterThan(0.8 * 25 * 13);
    expect(decoded).toBe(1);
    model.dispose();
    refine.dispose();
  });
});

describe('oneStandardErrorIndex (the one-standard-error rule)', () => {
  it('takes the simplest combination within one paired standard error of the best', () => {
    // Gap 0.05; paired differences 0.1, −0.1, 0.1, 0.1: sample std 0.1, standard error 0.05.
    expect(
      oneStandardErrorIndex([
        [0.8, 0.8, 0.8, 0.8],
        [0.9, 0.7, 0.9, 0.9],
      ]),
    ).toBe(0);
    // The same gap on every photo: standard error 0, so the better one wins.
    expect(
      oneStandardErrorIndex([
        [0.8, 0.8, 0.8, 0.8],
        [0.85, 0.85, 0.85, 0.85],
      ]),
    ).toBe(1);
    // Only simpler combinations (lower index) can replace the best; a later tie never does.
    expect(
      oneStandardErrorIndex([
        [0.5, 0.5],
        [0.9, 0.9],
        [0.9, 0.9],
      ]),
    ).toBe(1);
    // One photo: no spread to measure, so only an exact tie counts.
    expect(oneStandardErrorIndex([[0.5], [0.6]])).toBe(1);
    expect(oneStandardErrorIndex([[0.6], [0.6]])).toBe(0);
  });
});
