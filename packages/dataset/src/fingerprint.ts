/**
 * One sha256 naming exactly which data a model was trained on: ids and the content hashes of
 * both files, in id order, so renaming folders or reordering does not change it but any edited
 * pixel does.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mapConcurrent } from '@wms/core';
import type { Pair } from './types';

function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export async function fingerprintPairs(pairs: Pair[]): Promise<string> {
  const sorted = [...pairs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const lines = await mapConcurrent(
    sorted,
    8,
    async (p) => `${p.id}\t${await hashFile(p.image)}\t${await hashFile(p.mask)}`,
  );
  return createHash('sha256')
    .update(`wms-dataset-v1\n${lines.join('\n')}\n`)
    .digest('hex');
}
