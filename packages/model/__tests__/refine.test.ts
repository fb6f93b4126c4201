import {
  cropBox,
  cropImage,
  cropMask,
  drawStageError,
  imitateStageError,
  maskBounds,
  pasteProbabilities,
  refineCrop,
  scaleBox,
  type Box,
  type StageErrorKind,
} from '../src/refine/crops';
import { centredCrops, jitteredCrops } from '../src/refine/training-data';
import { trainConfigSchema } from '../src/config';
import { createRandom, deriveSeed } from '../src/random';

const refineConfigDefaults = () => trainConfigSchema.parse({}).refine;

const GEOMETRY = { margin: 0.5, min_size: 0 };

describe('refine geometry', () => {
  it('finds the tight bounds of the foreground, or null', () => {
    const mask = new Uint8Array(6 * 4);
    mask[1 * 6 + 2] = 1;
    mask[2 * 6 + 4] = 1;
    expect(maskBounds(mask, 6, 4)).toEqual({ x: 2, y: 1, width: 3, height: 2 });
    expect(maskBounds(new Uint8Array(8), 4, 2)).toBeNull();
  });

  it('grows the box by the margin on each side, keeps a minimum size and stays inside the image', () => {
    expect(cropBox({ x: 40, y: 40, width: 20, height: 10 }, 100, 100, GEOMETRY)).toEqual({
      x: 30,
      y: 35,
      width: 40,
      height: 20,
    });
    // Near the corner: shifted inside rather than clipped.
    expect(cropBox({ x: 0, y: 0, width: 20, height: 10 }, 100, 100, GEOMETRY)).toEqual({
      x: 0,
      y: 0,
      width: 40,
      height: 20,
    });
    // min_size: at least 30% of the image.
    expect(cropBox({ x: 50, y: 50, width: 2, height: 2 }, 100, 200, { margin: 0, min_size: 0.3 })).toEqual({
      x: 36,
      y: 21,
      width: 30,
      height: 60,
    });
    // Never larger than the image.
    expect(cropBox({ x: 0, y: 0, width: 100, height: 80 }, 100, 80, GEOMETRY)).toEqual({
      x: 0,
      y: 0,
      width: 100,
      height: 80,
    });
  });

  it('jitters reproducibly for a seed and within the configured share', () => {
    const bounds = { x: 40, y: 40, width: 20, height: 10 };
    const a = cropBox(bounds, 100, 100, GEOMETRY, { amount: 0.2, random: createRandom(3) });
    const b = cropBox(bounds, 100, 100, GEOMETRY, { amount: 0.2, random: createRandom(3) });
    expect(a).toEqual(b);
    expect(a).not.toEqual(cropBox(bounds, 100, 100, GEOMETRY));
    for (let seed = 0; seed < 30; seed++) {
      const box = cropBox(bounds, 100, 100, GEOMETRY, { amount: 0.2, random: createRandom(seed) });
      expect(box.width).toBeGreaterThanOrEqual(40 * 0.8 - 1e-9);
      expect(box.width).toBeLessThanOrEqual(40 * 1.2 + 1e-9);
      expect(Math.abs(box.x + box.width / 2 - 50)).toBeLessThanOrEqual(0.2 * 40 + 1e-9);
    }
  });

  it('crops and resizes image and mask through the same box', () => {
    // 8×8 image whose red channel is x * 10; mask set on columns 4–5, rows 2–3.
    const image = new Uint8Array(8 * 8 * 3);
    const mask = new Uint8Array(8 * 8);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        image[(y * 8 + x) * 3] = x * 10;
        if (x >= 4 && x <= 5 && y >= 2 && y <= 3) mask[y * 8 + x] = 1;
      }
    }
    const box = { x: 4, y: 2, width: 2, height: 2 };
    // Same size: an exact copy of the 2×2 region.
    expect(
      Array.from(cropImage({ width: 8, height: 8, data: image }, box, 2).data.filter((_, i) => i % 3 === 0)),
    ).toEqual([40, 50, 40, 50]);
    expect(Array.from(cropMask({ width: 8, height: 8, data: mask }, box, 2).data)).toEqual([1, 1, 1, 1]);
    // Upsampled 2×: sample centres at x = 4.25, 4.75, 5.25, 5.75 read the photo bilinearly,
    // including its pixels just outside the box (values 37.5, 42.5, 47.5, 52.5, rounded).
    const up = cropImage({ width: 8, height: 8, data: image }, box, 4);
    expect(Array.from(up.data.filter((_, i) => i % 3 === 0)).slice(0, 4)).toEqual([38, 43, 48, 53]);
  });

  it('pastes a crop prediction back at the frame resolution, zero outside the box', () => {
    const map = { width: 2, height: 1, data: Float32Array.from([1, 0]) };
    const out = pasteProbabilities(map, { x: 2, y: 1, width: 4, height: 1 }, 8, 3);
    const row = (y: number): number[] => Array.from(out.data.subarray(y * 8, y * 8 + 8));
    expect(row(0)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(row(2)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    // Box pixels 2..5 read the 2-pixel map at x = 0.25-0.5, 0.75-0.5, ...: 1, 0.75, 0.25, 0.
    expect(row(1)).toEqual([0, 0, 1, 0.75, 0.25, 0, 0, 0]);
  });

  it('round-trips a region: crop a mask, paste it back, same pixels', () => {
    const W = 40;
    const H = 30;
    const mask = new Uint8Array(W * H);
    for (let y = 12; y < 18; y++) for (let x = 10; x < 30; x++) mask[y * W + x] = 1;
    const source = {
      id: 'a',
      image: { width: W, height: H, data: new Uint8Array(W * H * 3) },
      mask: { width: W, height: H, data: mask },
      bounds: maskBounds(mask, W, H),
    };
    const crop = refineCrop(source, { margin: 0.25, min_size: 0 }, 60);
    const box = cropBox(source.bounds!, W, H, { margin: 0.25, min_size: 0 });
    const probabilities = { width: 60, height: 60, data: Float32Array.from(crop.mask.data) };
    const pasted = pasteProbabilities(probabilities, box, W, H);
    expect(Array.from(pasted.data, (v) => (v >= 0.5 ? 1 : 0))).toEqual(Array.from(mask));
    expect(scaleBox(box, 2, 0.5)).toEqual({
      x: box.x * 2,
      y: box.y * 0.5,
      width: box.width * 2,
      height: box.height * 0.5,
    });
  });

  it('uses the whole photo when the mask is empty', () => {
    const source = {
      id: 'empty',
      image: { width: 4, height: 4, data: new Uint8Array(48).fill(7) },
      mask: { width: 4, height: 4, data: new Uint8Array(16) },
      bounds: null,
    };
    const crop = refineCrop(source, GEOMETRY, 8);
    expect(crop.mask.data.every((v) => v === 0)).toBe(true);
    expect(crop.image.data.every((v) => v === 7)).toBe(true);
  });
});

describe('imitated first-stage mistakes (refine.stage_errors)', () => {
  const truth = { x: 100, y: 200, width: 80, height: 20 };
  const draws = (kind: StageErrorKind, n = 400): Box[] => {
    const random = createRandom(7);
    return Array.from({ length: n }, () => imitateStageError(truth, 640, 480, kind, random));
  };
  const inside = (b: Box, outer: Box): boolean =>
    b.x >= outer.x - 1e-9 &&
    b.y >= outer.y - 1e-9 &&
    b.x + b.width <= outer.x + outer.width + 1e-9 &&
    b.y + b.height <= outer.y + outer.height + 1e-9;

  it('partial: a piece of 20–100% of each side, inside the true region', () => {
    const boxes = draws('partial');
    for (const b of boxes) {
      expect(inside(b, truth)).toBe(true);
      expect(b.width / truth.width).toBeGreaterThanOrEqual(0.2);
      expect(b.height / truth.height).toBeGreaterThanOrEqual(0.2);
    }
    // The whole range is drawn, not only its middle.
    expect(Math.min(...boxes.map((b) => b.width))).toBeLessThan(0.3 * truth.width);
    expect(Math.max(...boxes.map((b) => b.width))).toBeGreaterThan(0.9 * truth.width);
  });

  it('loose: 1–3× each side, centre within half a side of the true centre, overlapping the region, inside the image', () => {
    for (const b of draws('loose')) {
      expect(inside(b, { x: 0, y: 0, width: 640, height: 480 })).toBe(true);
      expect(b.width / truth.width).toBeGreaterThanOrEqual(1);
      expect(b.width / truth.width).toBeLessThanOrEqual(3);
      expect(b.height / truth.height).toBeLessThanOrEqual(3);
      expect(Math.abs(b.x + b.width / 2 - (truth.x + truth.width / 2))).toBeLessThanOrEqual(0.5 * truth.width + 1e-9);
      const overlapX = Math.min(b.x + b.width, truth.x + truth.width) - Math.max(b.x, truth.x);
      const overlapY = Math.min(b.y + b.height, truth.y + truth.height) - Math.max(b.y, truth.y);
      expect(overlapX).toBeGreaterThan(0);
      expect(overlapY).toBeGreaterThan(0);
    }
  });

  it('loose stays inside a photo the grown box would leave', () => {
    const edge = { x: 0, y: 0, width: 300, height: 20 };
    const random = createRandom(3);
    for (let i = 0; i < 200; i++) {
      const b = imitateStageError(edge, 320, 240, 'loose', random);
      expect(inside(b, { x: 0, y: 0, width: 320, height: 240 })).toBe(true);
    }
  });

  it('elsewhere: the true size, anywhere in the image', () => {
    const boxes = draws('elsewhere');
    for (const b of boxes) {
      expect(b.width).toBe(truth.width);
      expect(b.height).toBe(truth.height);
      expect(inside(b, { x: 0, y: 0, width: 640, height: 480 })).toBe(true);
    }
    expect(boxes.filter((b) => inside(b, truth)).length).toBeLessThan(boxes.length / 10);
  });

  it('draws none with probability 1 − share and the kinds 2 : 2 : 1', () => {
    const random = createRandom(11);
    const counts = new Map<string, number>();
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const kind = drawStageError(0.5, random) ?? 'none';
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    expect(counts.get('none')! / n).toBeCloseTo(0.5, 1);
    expect(counts.get('partial')! / n).toBeCloseTo(0.2, 1);
    expect(counts.get('loose')! / n).toBeCloseTo(0.2, 1);
    expect(counts.get('elsewhere')! / n).toBeCloseTo(0.1, 1);
    const never = createRandom(11);
    for (let i = 0; i < 1000; i++) expect(drawStageError(0, never)).toBeUndefined();
  });

  it('a crop around an imitated mistake keeps the true mask as its target; share 0 leaves the old crops', () => {
    const size = 64;
    const mask = new Uint8Array(size * size);
    for (let y = 20; y < 28; y++) for (let x = 10; x < 40; x++) mask[y * size + x] = 1;
    const image = { width: size, height: size, data: new Uint8Array(size * size * 3).fill(90) };
    const source = {
      id: 'a',
      image,
      mask: { width: size, height: size, data: mask },
      bounds: maskBounds(mask, size, size),
    };
    const geometry = { margin: 0.3, min_size: 0 };
    // Partial: the crop lies around a piece, and the window's pixels in it stay foreground.
    const partial = refineCrop(source, geometry, 32, undefined, { kind: 'partial', random: createRandom(5) });
    expect(partial.mask.data.includes(1)).toBe(true);
    const centred = refineCrop(source, geometry, 32);
    expect(partial.mask.data).not.toEqual(centred.mask.data);
    // The same seed gives the same crop.
    expect(refineCrop(source, geometry, 32, undefined, { kind: 'partial', random: createRandom(5) })).toEqual(partial);
    // Share 0: every training crop equals the pre-stage-errors crop for its seed.
    const cfg = { ...refineConfigDefaults(), input_size: 32, margin: 0.3, min_size: 0, stage_errors: 0 };
    const crops = jitteredCrops([source], cfg, 9);
    for (let epoch = 0; epoch < 5; epoch++) {
      const random = createRandom(deriveSeed(9, epoch, 0));
      random(); // the draw of the kind
      expect(crops.get(0, epoch)).toEqual(refineCrop(source, cfg, 32, { amount: cfg.jitter, random }));
    }
    // Validation adds one imitated crop per pair (partial, loose in turn) when the share is on.
    expect(centredCrops([source], cfg)).toHaveLength(1);
    expect(centredCrops([source], { ...cfg, stage_errors: 0.5 }).map((c) => c.id)).toEqual(['a', 'a#partial']);
  });
});
