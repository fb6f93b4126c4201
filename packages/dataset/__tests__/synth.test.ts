/** The synthetic generator is deterministic, writes the documented layout, and its masks are
 * exactly binary windows covering a learnable 2–10 % of the image. */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { isUserError, type Progress } from '@wms/core';
import { generateSynthDataset, renderSynthPair } from '../src';
import { sevenSegmentPath } from '../src/synth/seven-segment';

jest.setTimeout(30_000);

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'wms-synth-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('generateSynthDataset', () => {
  it('writes <outDir>/images/<id>.jpg and <outDir>/masks/<id>.png, reporting progress', async () => {
    const outDir = tempDir();
    const ticks: number[] = [];
    const progress: Progress = {
      start: (total) => ticks.push(-total),
      tick: (n = 1) => ticks.push(n),
      stop: () => undefined,
    };
    const { pairs } = await generateSynthDataset({ outDir, count: 3, width: 64, height: 48, seed: 5, progress });
    expect(pairs).toEqual(
      [1, 2, 3].map((i) => ({
        id: `synth_0000${i}`,
        image: join(outDir, 'images', `synth_0000${i}.jpg`),
        mask: join(outDir, 'masks', `synth_0000${i}.png`),
      })),
    );
    expect(readdirSync(join(outDir, 'images'))).toHaveLength(3);
    expect(ticks).toEqual([-3, 1, 1, 1]);
    const image = await sharp(pairs[0]!.image).metadata();
    const mask = await sharp(pairs[0]!.mask).metadata();
    expect([image.format, image.width, image.height, image.channels]).toEqual(['jpeg', 64, 48, 3]);
    expect([mask.format, mask.width, mask.height, mask.channels]).toEqual(['png', 64, 48, 1]);
  });

  it('gives the same bytes for the same seed and different bytes for another seed', async () => {
    const [a, b, c] = [tempDir(), tempDir(), tempDir()];
    await generateSynthDataset({ outDir: a, count: 3, width: 96, height: 64, seed: 42 });
    // Different concurrency must not change the result: each item has its own seed.
    await generateSynthDataset({ outDir: b, count: 3, width: 96, height: 64, seed: 42, concurrency: 1 });
    await generateSynthDataset({ outDir: c, count: 3, width: 96, height: 64, seed: 43 });
    for (const file of ['images/synth_00002.jpg', 'masks/synth_00002.png']) {
      expect(readFileSync(join(a, file)).equals(readFileSync(join(b, file)))).toBe(true);
      expect(readFileSync(join(a, file)).equals(readFileSync(join(c, file)))).toBe(false);
    }
  });

  it('draws masks of only 0 and 255 whose window covers 2–10 % of the image', async () => {
    for (let index = 0; index < 12; index++) {
      const { mask } = await renderSynthPair(7, index, 128, 128);
      const { data } = await sharp(mask).raw().toBuffer({ resolveWithObject: true });
      const foreground = data.filter((v) => v === 255).length;
      expect(data.every((v) => v === 0 || v === 255)).toBe(true);
      expect(foreground / data.length).toBeGreaterThanOrEqual(0.02);
      expect(foreground / data.length).toBeLessThanOrEqual(0.1);
    }
  });

  it('puts the digit window where the mask is: the masked region is darker and busier', async () => {
    const { image, mask } = await renderSynthPair(9, 0, 256, 192);
    const grey = await sharp(image).greyscale().raw().toBuffer();
    const m = await sharp(mask).raw().toBuffer();
    const inside: number[] = [];
    grey.forEach((v, i) => m[i] === 255 && inside.push(v));
    const mean = inside.reduce((s, v) => s + v, 0) / inside.length;
    const spread = Math.sqrt(inside.reduce((s, v) => s + (v - mean) ** 2, 0) / inside.length);
    // Dark cells with light digits (or the reverse): high contrast inside the window.
    expect(spread).toBeGreaterThan(25);
  });

  it('rejects impossible sizes with a UserError naming the value', async () => {
    const error = await generateSynthDataset({ outDir: tempDir(), count: 0 }).catch((e: unknown) => e);
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toBe('generateSynthDataset: count is 0; expected an integer from 1 to 1000000.');
  });

  it('draws 7-segment digits as paths, one closed shape per lit segment', () => {
    expect(sevenSegmentPath(8, 0, 0, 10, 20).match(/Z/g)).toHaveLength(7);
    expect(sevenSegmentPath(1, 0, 0, 10, 20).match(/Z/g)).toHaveLength(2);
    expect(() => sevenSegmentPath(10, 0, 0, 10, 20)).toThrow(RangeError);
  });
});
