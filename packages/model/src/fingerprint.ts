/**
 * Identity of the training data recorded with a run: sha256 over each pair's id and the bytes of
 * its image and mask, in id order. Same role as @wms/dataset's `fingerprintPairs`; switch to it
 * once that package exports it.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { Pair } from './pairs';

export async function fingerprintPairs(pairs: readonly Pair[]): Promise<string> {
  const hash = createHash('sha256');
  const sorted = [...pairs].sort((a, b) => a.id.localeCompare(b.id));
  for (const pair of sorted) {
    const [image, mask] = await Promise.all([fsp.readFile(pair.image), fsp.readFile(pair.mask)]);
    hash.update(`${pair.id}\0`);
    hash.update(createHash('sha256').update(image).digest());
    hash.update(createHash('sha256').update(mask).digest());
  }
  return `sha256:${hash.digest('hex')}`;
}
