/**
 * `wms data pull`: materialise the tracked folders from their pointer files. Every object is
 * hashed while it is written to a temp file next to its target and renamed into place only when
 * its MD5 is the one the manifest names, so a corrupted or truncated object never lands.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, posix } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UserError, mapConcurrent, noProgress, type Logger, type ProgressFactory } from '@wms/core';
import { DATA_HEAD_REF, LOCAL_DATA_HEAD_REF, folderPath, pointerPath, type DataLayout } from './data-layout';
import { pointersAtCommit, pointersInWorkTree, type Pointers } from './data-version';
import { HashState } from './file-hash';
import { fetchRef, gitDir } from './git';
import { PARTIAL_PREFIX } from './local-files';
import { DirObjectLoader } from './manifest';
import { objectKey } from './object-key';
import type { ObjectStore } from './object-store';

export interface PullOptions {
  layout: DataLayout;
  /** 'worktree' (default): the pointer files as checked out; 'latest': the remote's newest data version. */
  version?: 'worktree' | 'latest';
  /** Git remote for version 'latest'. */
  remote?: string;
  /** Overwrite local files whose content differs from the version. */
  force?: boolean;
  concurrency?: number;
}

export interface PullResult {
  downloaded: number;
  downloadedBytes: number;
  upToDate: number;
  keptLocalChanges: string[];
  folders: Array<{ out: string; oid: string | undefined; nfiles: number }>;
}

interface Problem {
  kind: 'missing' | 'corrupted';
  text: string;
}

function safeTarget(root: string, relpath: string, source: string): string {
  const normal = posix.normalize(relpath);
  if (normal.startsWith('../') || normal === '..' || posix.isAbsolute(normal) || relpath.includes('\\')) {
    throw new UserError(
      `The manifest ${source} names "${relpath}", which points outside its folder; refusing to write it.`,
    );
  }
  return join(root, ...normal.split('/'));
}

export async function pullData(
  options: PullOptions,
  deps: { store: ObjectStore; logger: Logger; progress?: ProgressFactory },
): Promise<PullResult> {
  const { layout } = options;
  const wmsDir = join(await gitDir(layout.repoDir), 'wms');
  const state = await HashState.load(join(wmsDir, 'hash-state.json'));
  const loader = new DirObjectLoader(deps.store, join(wmsDir, 'dir-cache'));
  let pointers: Pointers;
  if (options.version === 'latest') {
    const head = await fetchRef(layout.repoDir, options.remote ?? 'origin', DATA_HEAD_REF, LOCAL_DATA_HEAD_REF);
    if (!head)
      throw new UserError(`The git remote ${options.remote ?? 'origin'} has no data version yet (${DATA_HEAD_REF}).`);
    pointers = await pointersAtCommit(layout, head);
  } else {
    pointers = await pointersInWorkTree(layout);
  }

  const work: Array<{ out: string; relpath: string; md5: string; target: string }> = [];
  const folders: PullResult['folders'] = [];
  for (const out of layout.outs) {
    const pointer = pointers.get(out);
    folders.push({ out, oid: pointer?.oid, nfiles: pointer?.nfiles ?? 0 });
    if (!pointer) {
      deps.logger.warning(`No pointer file ${pointerPath(layout, out)}; nothing to pull for ${out}.`);
      continue;
    }
    const manifest = await loader.load(pointer, pointerPath(layout, out));
    const root = join(layout.repoDir, folderPath(layout, out));
    for (const [relpath, md5] of manifest)
      work.push({ out, relpath, md5, target: safeTarget(root, relpath, pointer.oid) });
  }

  const result: PullResult = { downloaded: 0, downloadedBytes: 0, upToDate: 0, keptLocalChanges: [], folders };
  const problems: Problem[] = [];
  const bar = (deps.progress ?? (() => noProgress))();
  bar.start(work.length, 'Downloading');
  try {
    await mapConcurrent(work, options.concurrency ?? 8, async (item) => {
      const stats = await lstat(item.target).catch(() => undefined);
      if (stats?.isFile()) {
        const md5 = await state.md5(item.target, stats);
        if (md5 === item.md5) {
          result.upToDate++;
          bar.tick(1);
          return;
        }
        if (!options.force) {
          result.keptLocalChanges.push(`${item.out}/${item.relpath}`);
          bar.tick(1);
          return;
        }
      }
      const outcome = await download(deps.store, item.md5, item.target);
      if (outcome.ok) {
        result.downloaded++;
        result.downloadedBytes += outcome.size;
        state.remember(item.target, await lstat(item.target), item.md5);
      } else {
        problems.push({
          kind: outcome.kind,
          text: `${item.out}/${item.relpath} (${objectKey(item.md5)}): ${outcome.text}`,
        });
      }
      bar.tick(1, item.relpath);
    });
  } finally {
    bar.stop();
    await state.save();
  }
  if (result.keptLocalChanges.length > 0) {
    deps.logger.warning(
      `${result.keptLocalChanges.length} local file(s) differ from the data version and were kept (first: ${result.keptLocalChanges[0]}); pass --force to overwrite them.`,
    );
  }
  if (problems.length > 0) {
    const corrupted = problems.filter((p) => p.kind === 'corrupted').length;
    throw new UserError(
      `${problems.length} object(s) could not be pulled from ${deps.store.location} (${corrupted} corrupted, ${problems.length - corrupted} missing); none of them was written:\n${problems
        .slice(0, 10)
        .map((p) => `  ${p.text}`)
        .join('\n')}`,
      {
        hint: 'Push the files again from a machine that has them (`wms data push --replace` is not needed: same content, same name).',
      },
    );
  }
  return result;
}

type DownloadOutcome = { ok: true; size: number } | { ok: false; kind: Problem['kind']; text: string };

async function download(store: ObjectStore, md5: string, target: string): Promise<DownloadOutcome> {
  const stream = await store.getStream(objectKey(md5));
  if (!stream) return { ok: false, kind: 'missing', text: 'not in the remote' };
  await mkdir(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `${PARTIAL_PREFIX}${randomBytes(6).toString('hex')}`);
  const hash = createHash('md5');
  let size = 0;
  const hasher = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(stream, hasher, createWriteStream(tmp));
    const actual = hash.digest('hex');
    if (actual !== md5) {
      await rm(tmp, { force: true });
      return { ok: false, kind: 'corrupted', text: `content has MD5 ${actual}, expected ${md5}` };
    }
    await rename(tmp, target);
    return { ok: true, size };
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
