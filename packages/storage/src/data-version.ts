/** Reading the pointer files of a data version: at a commit, in the work tree, or the remote's latest. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parsePointer, renderPointer, type DirPointer } from './dvc-pointer';
import { pointerPath, type DataLayout } from './data-layout';
import { showFile, type FileToCommit } from './git';
import type { DirObjectLoader, Manifest } from './manifest';

export type Pointers = Map<string, DirPointer | undefined>;

export async function pointersAtCommit(layout: DataLayout, commit: string | undefined): Promise<Pointers> {
  const pointers: Pointers = new Map();
  for (const out of layout.outs) {
    const path = pointerPath(layout, out);
    const text = commit ? await showFile(layout.repoDir, commit, path) : undefined;
    pointers.set(out, text === undefined ? undefined : parsePointer(text, `${path} at ${commit!.slice(0, 12)}`));
  }
  return pointers;
}

export async function pointersInWorkTree(layout: DataLayout): Promise<Pointers> {
  const pointers: Pointers = new Map();
  for (const out of layout.outs) {
    const path = pointerPath(layout, out);
    const text = await readFile(join(layout.repoDir, path), 'utf8').catch(() => undefined);
    pointers.set(out, text === undefined ? undefined : parsePointer(text, path));
  }
  return pointers;
}

export async function loadManifest(
  loader: DirObjectLoader,
  pointer: DirPointer | undefined,
  source: string,
): Promise<Manifest> {
  return pointer ? loader.load(pointer, source) : new Map();
}

export function pointerFiles(layout: DataLayout, pointers: Pointers): FileToCommit[] {
  return layout.outs.flatMap((out) => {
    const pointer = pointers.get(out);
    return pointer ? [{ path: pointerPath(layout, out), content: renderPointer(pointer) }] : [];
  });
}
