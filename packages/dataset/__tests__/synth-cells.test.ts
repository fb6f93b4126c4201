/**
 * `--kind cells`: deterministic, exactly binary masks with most of the image foreground, many
 * separate cells (thin background membranes between touching cells) and some larger gaps.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { isUserError } from '@wms/core';
import { generateSynthDataset, renderSynthPair, type SynthKind } from '../src';
import { buildCellScene } from '../src/synth/cell-scene';
import { createRandom } from '../src/synth/random';

jest.setTimeout(30_000);

/** 4-connected foreground regions of a 0/255 mask. */
function countRegions(mask: Buffer, width: number, height: number): number[] {
  const seen = new Uint8Array(mask.length);
  const sizes: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (seen[start] || mask[start] === 0) continue;
    const stack = [start];
    seen[start] = 1;
    let size = 0;
    while (stack.length) {
      const i = stack.pop()!;
      size++;
      const x = i % width;
      const y = (i - x) / width;
      for (const [nx, ny] of [
        [x - 1, y],
        [x + 1, y],
        [x, y - 1],
        [x, y + 1],
      ] as const) {
        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
        const j = ny * width + nx;
        if (!seen[j] && mask[j] !== 0) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    sizes.push(size);
  }
  return sizes;
}

describe('synthetic cells', () => {
  it('covers most of the image with many cells separated by thin membranes', () => {
    for (const seed of [1, 2]) {
      const scene = buildCellScene(createRandom(seed), 512, 384);
      expect(scene.image).toHaveLength(512 * 384 * 3);
      expect(new Set(scene.mask)).toEqual(new Set([0, 255]));
      expect(scene.foregroundFraction).toBeGreaterThan(0.55);
      expect(scene.foregroundFraction).toBeLessThan(0.9);
      const regions = countRegions(scene.mask, 512, 384).filter((s) => s > 50);
      expect(regions.length).toBeGreaterThan(40);
      // Thin membranes: most background pixels lie within 3 px of foreground on both sides of a row.
      let membrane = 0;
      let background = 0;
      for (let y = 0; y < 384; y++) {
        for (let x = 3; x < 509; x++) {
          const i = y * 512 + x;
          if (scene.mask[i] !== 0) continue;
          background++;
          const row = scene.mask.subarray(i - 3, i + 4);
          if (row[0] !== 0 && row[6] !== 0) membrane++;
        }
      }
      expect(membrane / background).toBeGreaterThan(0.1);
    }
  });

  it('renders the same bytes for the same seed, other bytes for another, and differs from meters', async () => {
    const a = await renderSynthPair(4, 0, 128, 96, 'cells');
    const b = await renderSynthPair(4, 0, 128, 96, 'cells');
    const c = await renderSynthPair(5, 0, 128, 96, 'cells');
    const meters = await renderSynthPair(4, 0, 128, 96, 'meters');
    expect(a.image.equals(b.image) && a.mask.equals(b.mask)).toBe(true);
    expect(a.mask.equals(c.mask)).toBe(false);
    expect(a.mask.equals(meters.mask)).toBe(false);
  });

  it('writes cells_<n> pairs through generateSynthDataset and rejects an unknown kind', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'wms-cells-'));
    try {
      const { pairs } = await generateSynthDataset({ outDir, count: 2, width: 96, height: 64, seed: 3, kind: 'cells' });
      expect(pairs.map((p) => p.id)).toEqual(['cells_00001', 'cells_00002']);
      const { data, info } = await sharp(readFileSync(pairs[0]!.mask))
        .extractChannel(0)
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([96, 64]);
      expect(data.filter((v) => v === 255).length / data.length).toBeGreaterThan(0.5);
      const error = await generateSynthDataset({ outDir, count: 1, kind: 'roads' as SynthKind }).catch(
        (e: unknown) => e,
      );
      expect(isUserError(error)).toBe(true);
      expect((error as Error).message).toContain('"roads"');
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
