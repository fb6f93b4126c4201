/**
 * DVC 3's pointer file for a tracked folder (`images.dvc` next to `images/`), as `dvc add` writes it:
 *
 *   outs:
 *   - md5: <md5 of the .dir object>.dir
 *     size: <bytes of all files>
 *     nfiles: <file count>
 *     hash: md5
 *     path: images
 */
import { parse } from 'yaml';
import { UserError } from '@wms/core';
import { DIR_SUFFIX, isMd5 } from './dvc-dir';

export interface DirPointer {
  /** "<md5>.dir" */
  oid: string;
  size: number;
  nfiles: number;
  /** Folder name relative to the pointer file. */
  path: string;
}

export function renderPointer(pointer: DirPointer): string {
  return [
    'outs:',
    `- md5: ${pointer.oid}`,
    `  size: ${pointer.size}`,
    `  nfiles: ${pointer.nfiles}`,
    '  hash: md5',
    `  path: ${pointer.path}`,
    '',
  ].join('\n');
}

/** Parses a pointer written by DVC 3 or by us; `source` names the file in errors. */
export function parsePointer(text: string, source: string): DirPointer {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new UserError(`${source} is not valid YAML (${(error as Error).message}).`);
  }
  const outs = (doc as { outs?: unknown } | null)?.outs;
  if (!Array.isArray(outs) || outs.length !== 1) {
    throw new UserError(`${source} must have exactly one entry under "outs"; found ${JSON.stringify(outs)}.`);
  }
  const out = outs[0] as Record<string, unknown>;
  const oid = String(out.md5 ?? '');
  if (!oid.endsWith(DIR_SUFFIX) || !isMd5(oid.slice(0, -DIR_SUFFIX.length))) {
    throw new UserError(
      `${source}: outs[0].md5 is ${JSON.stringify(out.md5)}; expected "<32 hex digits>.dir" (a tracked folder).`,
    );
  }
  if (out.hash !== undefined && out.hash !== 'md5') {
    throw new UserError(`${source}: outs[0].hash is ${JSON.stringify(out.hash)}; only DVC 3's "md5" is supported.`, {
      hint: 'Pointers written by DVC 2 (no "hash: md5") use md5-dos2unix; re-add the folder with DVC 3.',
    });
  }
  if (out.hash === undefined) {
    throw new UserError(
      `${source}: outs[0] has no "hash: md5"; it was written by DVC 2, whose md5-dos2unix hashes differ.`,
      {
        hint: 'Run `dvc cache migrate --dvc-files` with DVC 3, or push the folder again with `wms data push`.',
      },
    );
  }
  const size = Number(out.size ?? 0);
  const nfiles = Number(out.nfiles ?? 0);
  if (typeof out.path !== 'string' || out.path === '') {
    throw new UserError(`${source}: outs[0].path is ${JSON.stringify(out.path)}; expected the tracked folder's name.`);
  }
  return { oid, size, nfiles, path: out.path };
}
