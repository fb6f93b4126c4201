/** The files of a tracked folder on disk, hashed (progress per file, cached by the hash state). */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError, mapConcurrent, type Progress } from '@wms/core';
import type { HashState } from './file-hash';

export interface LocalFile {
  relpath: string;
  path: string;
  size: number;
  md5: string;
}

/** Temp files of an interrupted pull; never part of the data. */
export const PARTIAL_PREFIX = '.wms-partial-';

interface Found {
  relpath: string;
  path: string;
}

async function walk(dir: string, prefix: string, found: Found[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const relpath = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isSymbolicLink()) {
      throw new UserError(`${path} is a symbolic link; versioned data folders hold regular files only.`, {
        hint: 'Copy the file into the folder instead of linking it.',
      });
    }
    if (entry.isDirectory()) {
      if (entry.name === '.git' || entry.name === '.dvc') continue;
      await walk(path, relpath, found);
    } else if (entry.isFile() && !entry.name.startsWith(PARTIAL_PREFIX)) {
      found.push({ relpath, path });
    }
  }
}

export async function listLocalFiles(folder: string): Promise<Found[]> {
  const found: Found[] = [];
  await walk(folder, '', found);
  return found;
}

export async function hashLocalFiles(
  folders: Array<{ out: string; dir: string }>,
  state: HashState,
  progress: Progress,
): Promise<Map<string, LocalFile[]>> {
  const listed = await Promise.all(folders.map(async (f) => ({ out: f.out, files: await listLocalFiles(f.dir) })));
  const total = listed.reduce((n, l) => n + l.files.length, 0);
  const result = new Map<string, LocalFile[]>();
  progress.start(total, 'Hashing');
  try {
    for (const { out, files } of listed) {
      const hashed = await mapConcurrent(files, 8, async (file) => {
        const stats = await lstat(file.path);
        const md5 = await state.md5(file.path, stats);
        progress.tick(1);
        return { ...file, size: stats.size, md5 };
      });
      result.set(out, hashed);
    }
  } finally {
    progress.stop();
  }
  return result;
}
