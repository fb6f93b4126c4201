/**
 * A tiny deterministic dataset for fast tests: dark noisy photos with one bright rectangle,
 * and its 0/255 PNG mask. Sizes vary per pair so metrics exercise the resize back to the
 * original resolution.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Pair } from '@wms/dataset';
import { mulberry32 as createRandom } from '@wms/core';

export async function writeTinyDataset(root: string, count: number, seed = 1): Promise<Pair[]> {
  mkdirSync(join(root, 'images'), { recursive: true });
  mkdirSync(join(root, 'masks'), { recursive: true });
  const random = createRandom(seed);
  const pairs: Pair[] = [];
  for (let n = 0; n < count; n++) {
    const width = 40 + Math.floor(random() * 24);
    const height = 40 + Math.floor(random() * 24);
    const rw = Math.floor(width * (0.3 + random() * 0.3));
    const rh = Math.floor(height * (0.2 + random() * 0.3));
    const rx = Math.floor(random() * (width - rw));
    const ry = Math.floor(random() * (height - rh));
    const rgb = Buffer.alloc(width * height * 3);
    const mask = Buffer.alloc(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inside = x >= rx && x < rx + rw && y >= ry && y < ry + rh;
        const base = inside ? 200 : 50;
        const i = y * width + x;
        for (let c = 0; c < 3; c++) rgb[i * 3 + c] = base + Math.floor(random() * 40) - 20;
        mask[i] = inside ? 255 : 0;
      }
    }
    const id = `tiny_${String(n).padStart(3, '0')}`;
    const image = join(root, 'images', `${id}.png`);
    const maskPath = join(root, 'masks', `${id}.png`);
    await sharp(rgb, { raw: { width, height, channels: 3 } })
      .png()
      .toFile(image);
    await sharp(mask, { raw: { width, height, channels: 1 } })
      .png()
      .toFile(maskPath);
    pairs.push({ id, image, mask: maskPath });
  }
  return pairs;
}
