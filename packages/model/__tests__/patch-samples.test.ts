import type { Sample } from '../src/augment';
import { cutPatch, patchSamples, placePatch } from '../src/patch-samples';
import { createRandom } from '../src/random';

/** A width×height sample whose red channel is x, green y, and whose mask is the box [bx, bx+bw) × [by, by+bh). */
function coordinateSample(width: number, height: number, box?: { x: number; y: number; w: number; h: number }): Sample {
  const image = new Uint8Array(width * height * 3);
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      image[i * 3] = x;
      image[i * 3 + 1] = y;
      image[i * 3 + 2] = 7;
      if (box && x >= box.x && x < box.x + box.w && y >= box.y && y < box.y + box.h) mask[i] = 1;
    }
  }
  return { image: { width, height, data: image }, mask: { width, height, data: mask } };
}

/** The patch's origin, read back from its first pixel's coordinate colours. */
const originOf = (patch: Sample): [number, number] => [patch.image.data[0]!, patch.image.data[1]!];

describe('cutPatch', () => {
  it('copies exactly the square at (x0, y0) from image and mask', () => {
    const sample = coordinateSample(20, 12, { x: 5, y: 3, w: 4, h: 2 });
    const patch = cutPatch(sample, 4, 2, 6);
    expect(patch.image.width).toBe(6);
    expect(patch.mask.height).toBe(6);
    for (let y = 0; y < 6; y++) {
      for (let x = 0; x < 6; x++) {
        const i = y * 6 + x;
        expect([patch.image.data[i * 3], patch.image.data[i * 3 + 1], patch.image.data[i * 3 + 2]]).toEqual([
          x + 4,
          y + 2,
          7,
        ]);
        expect(patch.mask.data[i]).toBe(x + 4 >= 5 && x + 4 < 9 && y + 2 >= 3 && y + 2 < 5 ? 1 : 0);
      }
    }
  });

  it('refuses a square that leaves the sample', () => {
    expect(() => cutPatch(coordinateSample(10, 10), 5, 0, 6)).toThrow(
      'cutPatch: 6×6 at (5, 0) is outside the 10×10 sample',
    );
  });
});

describe('placePatch', () => {
  it('puts a foreground patch over the chosen pixel and keeps every patch inside the photo', () => {
    const random = createRandom(3);
    const foreground = [2 * 40 + 1, 37 * 40 + 38]; // (1, 2) near a corner and (38, 37) near the other
    for (let i = 0; i < 500; i++) {
      const { x0, y0, onForeground } = placePatch(40, 40, 16, foreground, 1, random);
      expect(onForeground).toBe(true);
      expect(x0).toBeGreaterThanOrEqual(0);
      expect(y0).toBeGreaterThanOrEqual(0);
      expect(x0 + 16).toBeLessThanOrEqual(40);
      expect(y0 + 16).toBeLessThanOrEqual(40);
      const covers = foreground.some((p) => {
        const [px, py] = [p % 40, Math.floor(p / 40)];
        return px >= x0 && px < x0 + 16 && py >= y0 && py < y0 + 16;
      });
      expect(covers).toBe(true);
    }
  });

  it('places by the foreground share, and uniformly when the mask is empty', () => {
    const random = createRandom(11);
    let over = 0;
    for (let i = 0; i < 2000; i++) if (placePatch(64, 64, 32, [100], 0.3, random).onForeground) over++;
    expect(over / 2000).toBeGreaterThan(0.27);
    expect(over / 2000).toBeLessThan(0.33);
    const origins = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const { x0, y0, onForeground } = placePatch(20, 20, 16, [], 1, random);
      expect(onForeground).toBe(false);
      origins.add(`${x0},${y0}`);
    }
    // Every one of the 5 × 5 possible origins is reached.
    expect(origins.size).toBe(25);
  });
});

describe('patchSamples', () => {
  const samples = [coordinateSample(48, 48, { x: 30, y: 36, w: 6, h: 3 }), coordinateSample(48, 48)];

  it('cuts a fresh patch per epoch and sample, the same one for the same seed', () => {
    const a = patchSamples(samples, 16, 0.5, 42);
    const b = patchSamples(samples, 16, 0.5, 42);
    const origins = new Set<string>();
    for (let epoch = 1; epoch <= 20; epoch++) {
      const patch = a.get(0, epoch);
      expect(patch.image.width).toBe(16);
      expect(patch).toEqual(b.get(0, epoch));
      origins.add(originOf(patch).join(','));
    }
    expect(origins.size).toBeGreaterThan(10);
    expect(originOf(patchSamples(samples, 16, 0.5, 7).get(0, 1))).not.toEqual(originOf(a.get(0, 1)));
    expect(a.count).toBe(2);
  });

  it('holds foreground in at least the configured share of the patches', () => {
    const source = patchSamples(samples, 16, 0.5, 1);
    let withForeground = 0;
    for (let epoch = 1; epoch <= 400; epoch++) {
      if (source.get(0, epoch).mask.data.some((v) => v === 1)) withForeground++;
    }
    // Half are placed over the box; of the uniform rest, some cover it by chance.
    expect(withForeground / 400).toBeGreaterThan(0.5);
    expect(withForeground / 400).toBeLessThan(0.8);
  });

  it('passes a sample no larger than the patch through whole', () => {
    const small = coordinateSample(16, 16, { x: 1, y: 1, w: 2, h: 2 });
    expect(patchSamples([small], 16, 0.5, 1).get(0, 3)).toBe(small);
  });
});
