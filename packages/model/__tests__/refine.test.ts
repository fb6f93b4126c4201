import {
  cropBox,
  cropImage,
  cropMask,
  maskBounds,
  pasteProbabilities,
  refineCrop,
  scaleBox,
} from '../src/refine/crops';
import { createRandom } from '../src/random';

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
