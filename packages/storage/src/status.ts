/** `wms data status`: what a push would add, what changed under a versioned name, what a pull would fetch. */
import { join } from 'node:path';
import { noProgress, type ProgressFactory } from '@wms/core';
import { DATA_HEAD_REF, LOCAL_DATA_HEAD_REF, folderPath, type DataLayout } from './data-layout';
import { loadManifest, pointersAtCommit, pointersInWorkTree } from './data-version';
import { HashState } from './file-hash';
import { fetchRef, gitDir, resolveCommit } from './git';
import { hashLocalFiles } from './local-files';
import { DirObjectLoader } from './manifest';
import type { ObjectStore } from './object-store';

export interface FolderStatus {
  out: string;
  /** Local files under names no data version has: a push uploads them. */
  added: string[];
  /** Local files whose content differs from the versioned file of that name. */
  changed: string[];
  /** Files of the checked-out version absent locally: a pull fetches them. */
  missing: string[];
  /** Files in the remote's newest version that this checkout's pointers do not have yet. */
  onlyInLatest: number;
}

export interface StatusResult {
  folders: FolderStatus[];
  /** Whether a copy of the remote's newest version was consulted (fetched now, or the last fetch offline). */
  comparedWithLatest: boolean;
  clean: boolean;
}

export async function dataStatus(
  options: { layout: DataLayout; remote?: string; offline?: boolean },
  deps: { store: ObjectStore; progress?: ProgressFactory },
): Promise<StatusResult> {
  const { layout } = options;
  const wmsDir = join(await gitDir(layout.repoDir), 'wms');
  const state = await HashState.load(join(wmsDir, 'hash-state.json'));
  const loader = new DirObjectLoader(deps.store, join(wmsDir, 'dir-cache'));
  const checkedOut = await pointersInWorkTree(layout);
  // Offline: the copy of the remote's newest version fetched last time, if any.
  const head = options.offline
    ? await resolveCommit(layout.repoDir, LOCAL_DATA_HEAD_REF)
    : await fetchRef(layout.repoDir, options.remote ?? 'origin', DATA_HEAD_REF, LOCAL_DATA_HEAD_REF).catch(
        () => undefined,
      );
  const latest = await pointersAtCommit(layout, head);
  const local = await hashLocalFiles(
    layout.outs.map((out) => ({ out, dir: join(layout.repoDir, folderPath(layout, out)) })),
    state,
    (deps.progress ?? (() => noProgress))(),
  );
  await state.save();
  const folders: FolderStatus[] = [];
  for (const out of layout.outs) {
    const mine = await loadManifest(loader, checkedOut.get(out), `${out}.dvc`);
    const newest = await loadManifest(loader, latest.get(out), `${out}.dvc at ${DATA_HEAD_REF}`);
    const known = new Map([...mine, ...newest]);
    const files = local.get(out) ?? [];
    const present = new Set(files.map((f) => f.relpath));
    folders.push({
      out,
      added: files.filter((f) => !known.has(f.relpath)).map((f) => f.relpath),
      changed: files.filter((f) => known.has(f.relpath) && known.get(f.relpath) !== f.md5).map((f) => f.relpath),
      missing: [...mine.keys()].filter((relpath) => !present.has(relpath)),
      onlyInLatest: [...newest.keys()].filter((relpath) => !mine.has(relpath)).length,
    });
  }
  const clean = folders.every((f) => f.added.length + f.changed.length + f.missing.length === 0);
  return { folders, comparedWithLatest: head !== undefined, clean };
}
