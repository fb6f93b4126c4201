/** pushData at the storage level (no data-qa), on the local-directory store and a real git remote. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMemoryLogger } from '@wms/core';
import {
  LocalDirectoryStore,
  countingStore,
  dirObjectId,
  objectKey,
  pushData,
  renderPointer,
  serializeDirObject,
  type TransferCounters,
} from '@wms/storage';
import { git, makeGitWorld } from '@wms/test-support';

const DATA = 'WMS/data/training';

describe('pushData with many new files', () => {
  it('lists the store once instead of a HEAD per object, and uploads only what it lacks', async () => {
    const world = makeGitWorld();
    try {
      const repo = world.clone('many');
      const store = new LocalDirectoryStore(join(world.root, 'store'));
      mkdirSync(join(repo, DATA, 'images'), { recursive: true });
      mkdirSync(join(repo, DATA, 'masks'), { recursive: true });
      const contents: Buffer[] = [];
      for (let n = 0; n < 600; n++) {
        const bytes = randomBytes(64);
        contents.push(bytes);
        writeFileSync(join(repo, DATA, n % 2 ? 'masks' : 'images', `f${n}.bin`), bytes);
      }
      // 100 objects are already in the store (an earlier, interrupted push).
      for (const bytes of contents.slice(0, 100)) {
        await store.putBytes(objectKey(createHash('md5').update(bytes).digest('hex')), bytes);
      }
      const counters: TransferCounters = { uploadedBytes: 0, downloadedBytes: 0, requests: 0 };
      const result = await pushData(
        { layout: { repoDir: repo, dataDir: DATA, outs: ['images', 'masks'] }, remote: 'origin' },
        {
          store: countingStore(store, counters),
          logger: createMemoryLogger(),
          validateNew: async (files) => ({ valid: files.length === 600, message: `${files.length} files` }),
        },
      );
      expect(result.uploadedObjects).toBe(500);
      expect(result.skippedObjects).toBe(100);
      expect(result.folders.map((f) => f.nfiles)).toEqual([300, 300]);
      expect(result.folders.map((f) => f.size)).toEqual([300 * 64, 300 * 64]);
      // 500 object PUTs + 1 listing + per .dir one HEAD and one PUT; no per-object HEAD.
      expect(counters.requests).toBeLessThan(520);
    } finally {
      rmSync(world.root, { recursive: true, force: true });
    }
  }, 30_000);

  it('first push in a repository already tracked with DVC: merges into the committed pointers, totals from them', async () => {
    const world = makeGitWorld();
    try {
      const repo = world.clone('dvc-tracked');
      const store = new LocalDirectoryStore(join(world.root, 'store'));
      const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');
      // What `dvc add` + `dvc push` left: two objects, the .dir listing, the committed pointer.
      const old = [Buffer.from('first file'), Buffer.from('second, longer file')];
      mkdirSync(join(repo, DATA, 'images'), { recursive: true });
      const entries = old.map((bytes, n) => ({ relpath: `old${n}.bin`, md5: md5(bytes) }));
      for (const [n, bytes] of old.entries()) {
        await store.putBytes(objectKey(md5(bytes)), bytes);
        writeFileSync(join(repo, DATA, 'images', `old${n}.bin`), bytes);
      }
      const listing = serializeDirObject(entries);
      await store.putBytes(objectKey(dirObjectId(listing)), listing);
      const oldSize = old[0]!.length + old[1]!.length;
      writeFileSync(
        join(repo, DATA, 'images.dvc'),
        renderPointer({ oid: dirObjectId(listing), size: oldSize, nfiles: 2, path: 'images' }),
      );
      git(repo, 'add', `${DATA}/images.dvc`);
      git(repo, 'commit', '-q', '-m', 'dvc add images');
      writeFileSync(join(repo, DATA, 'images', 'new.bin'), 'new!');
      const counters: TransferCounters = { uploadedBytes: 0, downloadedBytes: 0, requests: 0 };
      const result = await pushData(
        { layout: { repoDir: repo, dataDir: DATA, outs: ['images', 'masks'] }, remote: 'origin' },
        {
          store: countingStore(store, counters),
          logger: createMemoryLogger(),
          validateNew: async (files) => ({ valid: files.length === 1, message: '' }),
        },
      );
      expect(result.folders[0]).toMatchObject({ out: 'images', added: 1, nfiles: 3, size: oldSize + 4 });
      expect(result.uploadedObjects).toBe(1);
      const pointer = git(repo, 'show', `origin/${result.branch}:${DATA}/images.dvc`);
      expect(pointer).toContain('nfiles: 3');
    } finally {
      rmSync(world.root, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('pushData against a git remote that does not exist', () => {
  it('fails with a UserError naming the remote, before hashing or uploading anything', async () => {
    const world = makeGitWorld();
    try {
      const repo = world.clone('no-remote');
      const store = new LocalDirectoryStore(join(world.root, 'store'));
      const error = await pushData(
        { layout: { repoDir: repo, dataDir: DATA, outs: ['images', 'masks'] }, remote: 'nowhere' },
        { store, logger: createMemoryLogger(), validateNew: async () => ({ valid: true, message: '' }) },
      ).catch((e: unknown) => e);
      expect((error as Error).name).toBe('UserError');
      expect((error as Error).message).toContain('git remote "nowhere"');
    } finally {
      rmSync(world.root, { recursive: true, force: true });
    }
  });
});
