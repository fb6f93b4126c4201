/**
 * `wms data push`: version the new files of the tracked folders.
 *
 * Order (each step safe to interrupt):
 *  1. hash local files; compare with the data version of the commit being pushed and the remote's
 *     latest (DATA_HEAD_REF); a changed file under a versioned name stops here unless `replace`;
 *  2. data-qa on the new files (callback) — nothing is uploaded when it fails;
 *  3. upload the objects the store lacks (content-addressed: a re-run skips what arrived);
 *  4. upload the merged .dir objects, then move DATA_HEAD_REF by compare-and-set (a git push
 *     without force: when another pusher moved it first, fetch, merge additions again, retry);
 *  5. commit the pointer files on a new `data/YYYYMMDD-HHMMSS` branch and push it.
 * The remote's manifest changes only at step 4, after every object it names is stored.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError, mapConcurrent, noProgress, writeJsonAtomic, type Logger, type ProgressFactory } from '@wms/core';
import { DATA_HEAD_REF, LOCAL_DATA_HEAD_REF, folderPath, type DataLayout } from './data-layout';
import { loadManifest, pointerFiles, pointersAtCommit, type Pointers } from './data-version';
import { HashState } from './file-hash';
import { commitFiles, fetchRef, gitDir, pushRef, resolveCommit, runGit } from './git';
import { hashLocalFiles, type LocalFile } from './local-files';
import {
  DirObjectLoader,
  describeConflicts,
  encodeManifest,
  mergeAdditions,
  type Manifest,
  type ManifestChange,
} from './manifest';
import { OBJECTS_PREFIX, objectKey } from './object-key';
import type { ObjectStore } from './object-store';

export interface NewDataFile {
  out: string;
  relpath: string;
  /** Absolute path on disk. */
  path: string;
}

export interface DataQaVerdict {
  valid: boolean;
  /** What failed and what to do, shown when invalid. */
  message: string;
}

export interface PushOptions {
  layout: DataLayout;
  /** Git remote name or URL (the pre-push hook's first argument). */
  remote: string;
  /** Commit the data branch starts from; default HEAD. */
  baseCommit?: string;
  /** Replace versioned files whose content changed instead of refusing. */
  replace?: boolean;
  branchPrefix?: string;
  now?: () => Date;
  uploadConcurrency?: number;
  maxHeadAttempts?: number;
}

export interface PushDeps {
  store: ObjectStore;
  logger: Logger;
  progress?: ProgressFactory;
  /** data-qa on the new files; required so nothing unchecked is uploaded. */
  validateNew: (files: NewDataFile[]) => Promise<DataQaVerdict>;
  /** Called right before each compare-and-set of the remote's data version (tests interleave pushers here). */
  beforeHeadUpdate?: (attempt: number) => Promise<void>;
}

export interface FolderPushResult {
  out: string;
  added: number;
  replaced: number;
  oid: string | undefined;
  nfiles: number;
  size: number;
}

export interface PushResult {
  status: 'up-to-date' | 'pushed';
  folders: FolderPushResult[];
  uploadedObjects: number;
  skippedObjects: number;
  uploadedBytes: number;
  headAttempts: number;
  dataCommit?: string;
  branch?: string;
  remoteLocation: string;
}

interface Pending {
  dataCommit: string;
  baseCommit: string;
}

const LIST_INSTEAD_OF_HEAD = 500;
const ZERO_RESULT = { uploadedObjects: 0, skippedObjects: 0, uploadedBytes: 0, headAttempts: 0 };

export async function pushData(options: PushOptions, deps: PushDeps): Promise<PushResult> {
  const { layout, remote } = options;
  const progress = deps.progress ?? (() => noProgress);
  const wmsDir = join(await gitDir(layout.repoDir), 'wms');
  await mkdir(wmsDir, { recursive: true });
  const pendingFile = join(wmsDir, 'pending-data-branch.json');
  const state = await HashState.load(join(wmsDir, 'hash-state.json'));
  const loader = new DirObjectLoader(deps.store, join(wmsDir, 'dir-cache'));

  const base = await resolveCommit(layout.repoDir, options.baseCommit ?? 'HEAD');
  if (!base) {
    throw new UserError(
      `No commit ${options.baseCommit ?? 'HEAD'} in ${layout.repoDir} to start the data branch from.`,
      {
        hint: 'Commit something first (the data branch is the pushed commit plus the pointer files).',
      },
    );
  }
  let head = await fetchRef(layout.repoDir, remote, DATA_HEAD_REF, LOCAL_DATA_HEAD_REF);
  const known = await knownManifests(layout, loader, base, head);

  const local = await hashLocalFiles(
    layout.outs.map((out) => ({ out, dir: join(layout.repoDir, folderPath(layout, out)) })),
    state,
    progress(),
  );
  await state.save();
  const changes = new Map<string, LocalFile[]>();
  for (const out of layout.outs) {
    const manifest = known.get(out)!;
    const changed = (local.get(out) ?? []).filter((f) => manifest.get(f.relpath) !== f.md5);
    changes.set(out, changed);
    if (!options.replace) {
      const conflicts = mergeAdditions(manifest, changed, false).conflicts;
      if (conflicts.length > 0) throw describeConflicts(folderPath(layout, out), conflicts);
    }
  }
  const allChanges = [...changes.values()].flat();
  const pending = await readPending(pendingFile);

  if (allChanges.length === 0 && !pending) {
    return {
      status: 'up-to-date',
      folders: await summariseHead(layout, head),
      ...ZERO_RESULT,
      remoteLocation: deps.store.location,
    };
  }

  let uploaded = { objects: 0, skipped: 0, bytes: 0 };
  let headAttempts = 0;
  let dataCommit = pending?.dataCommit;
  let folders: FolderPushResult[] = [];
  if (allChanges.length > 0) {
    const verdict = await deps.validateNew(
      [...changes].flatMap(([out, files]) => files.map((f) => ({ out, relpath: f.relpath, path: f.path }))),
    );
    if (!verdict.valid) {
      throw new UserError(`data-qa refused the new files; nothing was uploaded.\n${verdict.message}`, {
        hint: 'Fix or remove the files named above and push again.',
      });
    }
    uploaded = await uploadMissing(allChanges, deps.store, progress, options.uploadConcurrency ?? 8);
    deps.logger.info(
      `Uploaded ${uploaded.objects} object(s) (${formatBytes(uploaded.bytes)}) to ${deps.store.location}; ${uploaded.skipped} were already there.`,
    );

    // Sizes for the pointers' totals: every local file (no request), else the store's HEAD.
    const sizes = new Map([...local.values()].flat().map((f) => [f.md5, f.size]));
    const basePointers = await pointersAtCommit(layout, base);
    const maxAttempts = options.maxHeadAttempts ?? 8;
    for (;;) {
      headAttempts++;
      const current = headAttempts === 1 ? known : await knownManifests(layout, loader, base, head);
      const headPointers = await pointersAtCommit(layout, head);
      const merged = await mergeAll(
        layout,
        current,
        headPointers,
        basePointers,
        changes,
        options.replace ?? false,
        deps.store,
        sizes,
        loader,
      );
      folders = merged.folders;
      if (head && !merged.changed) {
        deps.logger.info(`The remote's data version already has these files (${head.slice(0, 12)}).`);
        dataCommit = head;
        break;
      }
      await deps.beforeHeadUpdate?.(headAttempts);
      const commit = await commitFiles(layout.repoDir, {
        baseCommit: head,
        parents: head ? [head] : [],
        files: pointerFiles(layout, merged.pointers),
        message: `data: ${describeFolders(folders)}`,
      });
      const outcome = await pushRef(layout.repoDir, remote, commit, DATA_HEAD_REF);
      if (outcome.ok) {
        dataCommit = commit;
        // Our copy of the remote's newest version, for offline status and the next push.
        await runGit(layout.repoDir, ['update-ref', LOCAL_DATA_HEAD_REF, commit]);
        break;
      }
      if (!outcome.rejected) {
        throw new UserError(`Could not update ${DATA_HEAD_REF} on the git remote ${remote}:\n${outcome.message}`, {
          hint: 'Check that you may push to the remote; the uploaded objects stay and a re-run skips them.',
        });
      }
      if (headAttempts >= maxAttempts) {
        throw new UserError(
          `${DATA_HEAD_REF} on ${remote} kept moving: ${maxAttempts} attempts to add the data lost the race.`,
          {
            hint: 'Push again in a moment; uploaded objects are kept.',
          },
        );
      }
      deps.logger.info(
        `Someone else pushed data at the same time; merging with their version (attempt ${headAttempts + 1}).`,
      );
      head = await fetchRef(layout.repoDir, remote, DATA_HEAD_REF, LOCAL_DATA_HEAD_REF);
    }
    await writeJsonAtomic(pendingFile, { dataCommit, baseCommit: base } satisfies Pending);
  } else {
    dataCommit = head ?? dataCommit;
    folders = await summariseHead(layout, dataCommit);
    deps.logger.info(`Finishing an interrupted push: data version ${dataCommit!.slice(0, 12)} has no branch yet.`);
  }

  const branch = await pushDataBranch(layout, remote, base, dataCommit!, folders, options);
  await rm(pendingFile, { force: true });
  deps.logger.info(`Pushed branch ${branch} (pointer files of data version ${dataCommit!.slice(0, 12)}).`);
  return {
    status: 'pushed',
    folders,
    uploadedObjects: uploaded.objects,
    skippedObjects: uploaded.skipped,
    uploadedBytes: uploaded.bytes,
    headAttempts,
    dataCommit,
    branch,
    remoteLocation: deps.store.location,
  };
}

/** What is versioned already: the pushed commit's pointers, overlaid by the remote's latest. */
async function knownManifests(
  layout: DataLayout,
  loader: DirObjectLoader,
  base: string,
  head: string | undefined,
): Promise<Map<string, Manifest>> {
  const [basePointers, headPointers] = await Promise.all([
    pointersAtCommit(layout, base),
    pointersAtCommit(layout, head),
  ]);
  const known = new Map<string, Manifest>();
  for (const out of layout.outs) {
    const fromBase = await loadManifest(loader, basePointers.get(out), `${out}.dvc at ${base.slice(0, 12)}`);
    const fromHead = await loadManifest(loader, headPointers.get(out), `${out}.dvc at ${DATA_HEAD_REF}`);
    known.set(out, new Map([...fromBase, ...fromHead]));
  }
  return known;
}

async function uploadMissing(
  files: LocalFile[],
  store: ObjectStore,
  progress: ProgressFactory,
  concurrency: number,
): Promise<{ objects: number; skipped: number; bytes: number }> {
  const unique = [...new Map(files.map((f) => [f.md5, f])).values()];
  // Many new files (a first push): one listing (1,000 keys per request) beats a HEAD per object.
  let present: Set<string> | undefined;
  if (unique.length > LIST_INSTEAD_OF_HEAD) {
    present = new Set();
    for await (const item of store.list(`${OBJECTS_PREFIX}/`)) present.add(item.key);
  }
  const bar = progress();
  let objects = 0;
  let bytes = 0;
  bar.start(unique.length, 'Uploading');
  try {
    await mapConcurrent(unique, concurrency, async (file) => {
      const key = objectKey(file.md5);
      if (!(present ? present.has(key) : await store.has(key))) {
        await store.putFile(key, file.path, file.size);
        objects++;
        bytes += file.size;
      }
      bar.tick(1, file.relpath);
    });
  } finally {
    bar.stop();
  }
  return { objects, skipped: unique.length - objects, bytes };
}

async function mergeAll(
  layout: DataLayout,
  known: Map<string, Manifest>,
  headPointers: Pointers,
  basePointers: Pointers,
  changes: Map<string, LocalFile[]>,
  replace: boolean,
  store: ObjectStore,
  sizes: Map<string, number>,
  loader: DirObjectLoader,
): Promise<{ pointers: Pointers; folders: FolderPushResult[]; changed: boolean }> {
  const pointers: Pointers = new Map();
  const folders: FolderPushResult[] = [];
  let changed = false;
  const sizeOfObject = async (md5: string): Promise<number> =>
    sizes.get(md5) ?? (await store.sizeOf(objectKey(md5))) ?? 0;
  for (const out of layout.outs) {
    const base = known.get(out)!;
    const headPointer = headPointers.get(out);
    // Totals are computed from the remote's newest pointer, else the pushed commit's (a first push
    // in a repository already tracked with DVC), plus whatever differs from it.
    const refPointer = headPointer ?? basePointers.get(out);
    const refManifest = await loadManifest(loader, refPointer, `${out}.dvc`);
    const ours: ManifestChange[] = (changes.get(out) ?? []).map((f) => ({
      relpath: f.relpath,
      md5: f.md5,
      size: f.size,
    }));
    const merge = mergeAdditions(base, ours, replace);
    if (merge.conflicts.length > 0) throw describeConflicts(folderPath(layout, out), merge.conflicts);
    let size = refPointer?.size ?? 0;
    for (const [relpath, md5] of merge.manifest) {
      const inRef = refManifest.get(relpath);
      if (inRef === md5) continue;
      size += await sizeOfObject(md5);
      if (inRef !== undefined) size -= await sizeOfObject(inRef);
    }
    const sameAsHead = headPointer !== undefined && sameManifest(refManifest, merge.manifest);
    if (!sameAsHead) changed = true;
    if (merge.manifest.size === 0 && !headPointer) {
      pointers.set(out, undefined);
      folders.push({ out, added: 0, replaced: 0, oid: undefined, nfiles: 0, size: 0 });
      continue;
    }
    const { oid, bytes } = encodeManifest(merge.manifest);
    const key = objectKey(oid);
    if (!(await store.has(key))) await store.putBytes(key, bytes);
    await loader.remember(oid, bytes);
    pointers.set(out, { oid, size, nfiles: merge.manifest.size, path: out });
    folders.push({
      out,
      added: merge.added.length,
      replaced: merge.replaced.length,
      oid,
      nfiles: merge.manifest.size,
      size,
    });
  }
  return { pointers, folders, changed };
}

function sameManifest(a: Manifest, b: Manifest): boolean {
  if (a.size !== b.size) return false;
  for (const [relpath, md5] of a) if (b.get(relpath) !== md5) return false;
  return true;
}

async function summariseHead(layout: DataLayout, commit: string | undefined): Promise<FolderPushResult[]> {
  const pointers = await pointersAtCommit(layout, commit);
  return layout.outs.map((out) => {
    const p = pointers.get(out);
    return { out, added: 0, replaced: 0, oid: p?.oid, nfiles: p?.nfiles ?? 0, size: p?.size ?? 0 };
  });
}

function describeFolders(folders: FolderPushResult[]): string {
  return folders
    .map((f) => `${f.out} +${f.added}${f.replaced ? ` ~${f.replaced}` : ''} (${f.nfiles} files)`)
    .join(', ');
}

function timestamp(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}-${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`;
}

/** The pushed commit + the data version's pointer files, on a new branch (a suffix when the name is taken). */
async function pushDataBranch(
  layout: DataLayout,
  remote: string,
  base: string,
  dataCommit: string,
  folders: FolderPushResult[],
  options: PushOptions,
): Promise<string> {
  const pointers = await pointersAtCommit(layout, dataCommit);
  const commit = await commitFiles(layout.repoDir, {
    baseCommit: base,
    parents: [base],
    files: pointerFiles(layout, pointers),
    message: `data: ${describeFolders(folders)}\n\nData version ${dataCommit} (${DATA_HEAD_REF}).`,
  });
  const stem = `${options.branchPrefix ?? 'data/'}${timestamp((options.now ?? (() => new Date()))())}`;
  for (let n = 1; n <= 20; n++) {
    const branch = n === 1 ? stem : `${stem}-${n}`;
    const outcome = await pushRef(layout.repoDir, remote, commit, `refs/heads/${branch}`);
    if (outcome.ok) return branch;
    if (!outcome.rejected) {
      throw new UserError(`Could not push the data branch ${branch} to ${remote}:\n${outcome.message}`, {
        hint: 'The data is stored and versioned; fix access to the remote and run `wms data push` again to create the branch.',
      });
    }
  }
  throw new UserError(`Could not find a free branch name ${stem}-N on ${remote} after 20 tries.`);
}

async function readPending(file: string): Promise<Pending | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Pending;
  } catch {
    return undefined;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
