/**
 * A data version as `wms data push` leaves it, for the data-pull tests: a bare git remote, a
 * pusher's clone whose new files go through pushData into a folder store, and a fresh clone of the
 * resulting data branch, which (like a CI checkout) holds only the pointer files.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMemoryLogger } from '@wms/core';
import { LocalDirectoryStore, objectKey, pushData, type ObjectStore, type PushResult } from '@wms/storage';
import { makeGitWorld } from '@wms/test-support';

export const DATA_DIR = 'WMS/data/training';

export interface VersionedData {
  root: string;
  /** Folder store holding the objects (files/md5/…), when no store was passed. */
  storeDir: string;
  /** Clone of the data branch: pointer files only. */
  checkout: string;
  /** relpath under DATA_DIR (images/x.jpg) → content. */
  files: Map<string, Buffer>;
  push: PushResult;
  /** Absolute path of the stored object of a file. */
  objectPath(relpath: string): string;
}

/** Deterministic distinct contents, so a test can compare bytes. */
function content(name: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(name).digest();
  for (let i = 0; i < size; i += block.length) {
    block.copy(out, i);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/** Pushes `pairs` image/mask pairs into `store` (default: a folder store at storeDir). */
export async function makeVersionedData(pairs = 3, store?: ObjectStore): Promise<VersionedData> {
  const { root, remote, clone } = makeGitWorld('wms-data-pull-');
  const pusher = clone('pusher');

  const files = new Map<string, Buffer>();
  for (let n = 0; n < pairs; n++) {
    files.set(`images/meter_${n}.jpg`, content(`image ${n}`, 3000 + n * 100));
    files.set(`masks/meter_${n}.png`, content(`mask ${n}`, 500 + n * 10));
  }
  for (const [relpath, bytes] of files) {
    mkdirSync(join(pusher, DATA_DIR, relpath, '..'), { recursive: true });
    writeFileSync(join(pusher, DATA_DIR, relpath), bytes);
  }
  const storeDir = join(root, 'store');
  const target = store ?? new LocalDirectoryStore(storeDir);
  const push = await pushData(
    { layout: { repoDir: pusher, dataDir: DATA_DIR, outs: ['images', 'masks'] }, remote: 'origin' },
    { store: target, logger: createMemoryLogger(), validateNew: async () => ({ valid: true, message: 'ok' }) },
  );
  if (!store) target.close();
  if (!push.branch) throw new Error(`pushData made no data branch (status ${push.status})`);

  const checkout = join(root, 'checkout');
  execFileSync('git', ['clone', '-q', '--branch', push.branch, remote, checkout], { stdio: 'ignore' });
  return {
    root,
    storeDir,
    checkout,
    files,
    push,
    objectPath: (relpath) =>
      join(storeDir, ...objectKey(createHash('md5').update(files.get(relpath)!).digest('hex')).split('/')),
  };
}
