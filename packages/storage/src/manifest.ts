/**
 * A tracked folder's manifest: relpath → md5, stored as a DVC .dir object and named by a .dvc
 * pointer. Merging is additions only, as DVC's .dir merge (dvc_data/hashfile/tree.py, _merge
 * with allowed=["add"]): a file under an existing name with other content is a conflict unless
 * replacing was asked for. Nothing is ever removed by a merge.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError, writeFileAtomic } from '@wms/core';
import { dirObjectId, md5Hex, parseDirObject, serializeDirObject, DIR_SUFFIX, type DirEntry } from './dvc-dir';
import type { DirPointer } from './dvc-pointer';
import { objectKey } from './object-key';
import type { ObjectStore } from './object-store';

export type Manifest = Map<string, string>;

export function manifestFromEntries(entries: Iterable<DirEntry>): Manifest {
  return new Map([...entries].map((e) => [e.relpath, e.md5]));
}

export function manifestEntries(manifest: Manifest): DirEntry[] {
  return [...manifest].map(([relpath, md5]) => ({ relpath, md5 }));
}

export interface ManifestChange {
  relpath: string;
  md5: string;
  size: number;
}

export interface Conflict {
  relpath: string;
  remoteMd5: string;
  localMd5: string;
}

export interface MergeResult {
  manifest: Manifest;
  added: ManifestChange[];
  replaced: Array<ManifestChange & { previousMd5: string }>;
  conflicts: Conflict[];
}

/** Applies `changes` onto `base`; same name + same md5 is already there, other md5 replaces or conflicts. */
export function mergeAdditions(base: Manifest, changes: readonly ManifestChange[], replace: boolean): MergeResult {
  const manifest = new Map(base);
  const result: MergeResult = { manifest, added: [], replaced: [], conflicts: [] };
  for (const change of changes) {
    const previous = base.get(change.relpath);
    if (previous === change.md5) continue;
    if (previous === undefined) {
      manifest.set(change.relpath, change.md5);
      result.added.push(change);
    } else if (replace) {
      manifest.set(change.relpath, change.md5);
      result.replaced.push({ ...change, previousMd5: previous });
    } else {
      result.conflicts.push({ relpath: change.relpath, remoteMd5: previous, localMd5: change.md5 });
    }
  }
  return result;
}

export function describeConflicts(folder: string, conflicts: readonly Conflict[]): UserError {
  const shown = conflicts
    .slice(0, 10)
    .map((c) => `  ${folder}/${c.relpath}: versioned ${c.remoteMd5}, yours ${c.localMd5}`);
  const more = conflicts.length > 10 ? [`  … and ${conflicts.length - 10} more`] : [];
  return new UserError(
    `${conflicts.length} file(s) in ${folder} already exist in the data version with different content:\n${[...shown, ...more].join('\n')}`,
    {
      hint: 'Rename new files so they do not reuse a name, or pass --replace to replace the versioned files (DVC refuses such merges too).',
    },
  );
}

/** Reads .dir objects from a local cache of immutable objects, else from the store (then caches them). */
export class DirObjectLoader {
  constructor(
    private readonly store: ObjectStore,
    private readonly cacheDir: string | undefined,
  ) {}

  async load(pointer: DirPointer, source: string): Promise<Manifest> {
    const cached = this.cacheDir ? await readFile(join(this.cacheDir, pointer.oid)).catch(() => undefined) : undefined;
    const expected = pointer.oid.slice(0, -DIR_SUFFIX.length);
    if (cached && md5Hex(cached) === expected) return manifestFromEntries(parseDirObject(cached, pointer.oid));
    const key = objectKey(pointer.oid);
    const bytes = await this.store.getBytes(key);
    if (!bytes) {
      throw new UserError(
        `The directory object ${pointer.oid} named by ${source} is not in the data remote ${this.store.location} (${key}).`,
        {
          hint: 'Push the data from the machine that created this version, or point --remote-url / .dvc/config at the right remote.',
        },
      );
    }
    if (md5Hex(bytes) !== expected) {
      throw new UserError(
        `The directory object ${key} in ${this.store.location} is corrupted: its MD5 is ${md5Hex(bytes)}, expected ${expected}.`,
        {
          hint: 'Push the data again from a machine that has the files; the push re-uploads the listing.',
        },
      );
    }
    await this.remember(pointer.oid, bytes);
    return manifestFromEntries(parseDirObject(bytes, key));
  }

  async remember(oid: string, bytes: Uint8Array): Promise<void> {
    if (!this.cacheDir) return;
    await mkdir(this.cacheDir, { recursive: true });
    await writeFileAtomic(join(this.cacheDir, oid), bytes);
  }
}

/** Serialises a manifest as DVC does; `oid` is "<md5>.dir". */
export function encodeManifest(manifest: Manifest): { oid: string; bytes: Buffer } {
  const bytes = serializeDirObject(manifestEntries(manifest));
  return { oid: dirObjectId(bytes), bytes };
}
