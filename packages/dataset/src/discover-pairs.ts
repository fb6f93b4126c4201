/**
 * Finds image/mask pairs by name: same stem, or `<id>_image.<ext>` ↔ `<id>_mask.<ext>`, any
 * image extension on either side (case-insensitive). Reports what cannot pair: orphans, two
 * files claiming one id, non-image files, symlinks. Reads names only, never file contents.
 */
import { promises as fsp, type Dirent } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from '@wms/core';
import { compareText } from './compare-text';
import { hasImageExtension, IMAGE_EXTENSIONS, pairIdOf } from './file-kinds';
import { hasUnsafeCharacters, printableName } from './file-names';
import { DEFAULT_IMAGES_DIR, DEFAULT_MASKS_DIR } from './qa-options';
import type { Pair, QaProblem } from './types';

export interface DiscoverOptions {
  root: string;
  imagesDir?: string;
  masksDir?: string;
}

export interface DiscoveredPairs {
  pairs: Pair[];
  problems: QaProblem[];
  /** Absolute folders actually scanned. */
  imagesDir: string;
  masksDir: string;
  counts: { images: number; masks: number };
}

/** Path relative to the dataset root with '/' separators, as reports and annotations show it. */
export function relativeToRoot(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

async function exists(path: string): Promise<boolean> {
  return fsp.stat(path).then(
    () => true,
    () => false,
  );
}

/** The explicit folder, else the default layout, else plain images/ or masks/ under root. */
async function chooseDir(root: string, explicit: string | undefined, fallbacks: string[], label: string) {
  const candidates = explicit !== undefined ? [explicit] : fallbacks;
  for (const candidate of candidates) {
    const dir = resolve(root, candidate);
    if (!isInside(root, dir)) {
      throw new UserError(`The ${label} folder "${candidate}" is outside the dataset root ${root}.`, {
        hint: 'Give a path relative to the dataset root, without "..".',
      });
    }
    if (!(await exists(dir))) continue;
    // A symlinked folder may point anywhere: compare real locations too.
    const [realRoot, realDir] = await Promise.all([fsp.realpath(root), fsp.realpath(dir)]);
    if (!isInside(realRoot, realDir)) {
      throw new UserError(`The ${label} folder ${dir} resolves to ${realDir}, outside the dataset root ${realRoot}.`, {
        hint: 'Copy the files into the dataset instead of linking to them.',
      });
    }
    if (!(await fsp.stat(dir)).isDirectory()) throw new UserError(`The ${label} path ${dir} is not a folder.`);
    return dir;
  }
  throw new UserError(`No ${label} folder: looked for ${candidates.map((c) => resolve(root, c)).join(' and ')}.`, {
    hint: `Put the ${label} under the dataset root, or set the ${label} folder option.`,
  });
}

interface Scanned {
  byId: Map<string, string[]>;
  count: number;
}

function scanEntries(
  root: string,
  dir: string,
  entries: Dirent[],
  role: 'image' | 'mask',
  problems: QaProblem[],
): Scanned {
  const byId = new Map<string, string[]>();
  let count = 0;
  for (const entry of entries.sort((a, b) => compareText(a.name, b.name))) {
    if (entry.name.startsWith('.')) continue; // .gitkeep, .DS_Store: not data
    const path = join(dir, entry.name);
    const file = relativeToRoot(root, path);
    if (hasUnsafeCharacters(entry.name)) {
      problems.push({
        severity: 'error',
        code: 'unsafe-file-name',
        message: `${printableName(file)} has a control character in its name (shown escaped); such names break reports, logs and annotations. Rename the file.`,
        files: [file],
      });
    } else if (entry.isSymbolicLink()) {
      problems.push({
        severity: 'error',
        code: 'symlink-refused',
        message: `${file} is a symbolic link; data-qa only reads regular files inside the dataset root. Replace it with the file itself.`,
        files: [file],
      });
    } else if (entry.isDirectory()) {
      problems.push({
        severity: 'warning',
        code: 'unexpected-directory',
        message: `${file} is a folder; data-qa does not look inside sub-folders of the ${role}s folder, so its files are not used.`,
        files: [file],
      });
    } else if (!entry.isFile() || !hasImageExtension(entry.name)) {
      problems.push({
        severity: 'error',
        code: 'not-an-image',
        message: `${file} is not an image file; the ${role}s folder may only hold ${IMAGE_EXTENSIONS.join(', ')} files. Move it out.`,
        files: [file],
      });
    } else {
      count++;
      const id = pairIdOf(entry.name, role);
      byId.set(id, [...(byId.get(id) ?? []), path]);
    }
  }
  return { byId, count };
}

export async function discoverPairs(opts: DiscoverOptions): Promise<DiscoveredPairs> {
  const root = resolve(opts.root);
  if (!(await exists(root))) throw new UserError(`The dataset root ${root} does not exist.`);
  const imagesDir = await chooseDir(root, opts.imagesDir, [DEFAULT_IMAGES_DIR, 'images'], 'images');
  const masksDir = await chooseDir(root, opts.masksDir, [DEFAULT_MASKS_DIR, 'masks'], 'masks');
  const problems: QaProblem[] = [];
  const [imageEntries, maskEntries] = await Promise.all([
    fsp.readdir(imagesDir, { withFileTypes: true }),
    fsp.readdir(masksDir, { withFileTypes: true }),
  ]);
  const images = scanEntries(root, imagesDir, imageEntries, 'image', problems);
  const masks = scanEntries(root, masksDir, maskEntries, 'mask', problems);
  const rel = (paths: string[]): string[] => paths.map((p) => relativeToRoot(root, p));

  const pairs: Pair[] = [];
  const ids = [...new Set([...images.byId.keys(), ...masks.byId.keys()])].sort(compareText);
  for (const id of ids) {
    const imageFiles = images.byId.get(id) ?? [];
    const maskFiles = masks.byId.get(id) ?? [];
    for (const [claimants, role] of [
      [imageFiles, 'images'],
      [maskFiles, 'masks'],
    ] as const) {
      if (claimants.length > 1) {
        problems.push({
          severity: 'error',
          code: 'ambiguous-pair',
          message: `${rel(claimants).join(' and ')} are ${claimants.length} ${role} for the same pair "${id}"; keep exactly one.`,
          files: rel(claimants),
        });
      }
    }
    if (imageFiles.length > 1 || maskFiles.length > 1) continue;
    const [image] = imageFiles;
    const [mask] = maskFiles;
    if (image && mask) {
      pairs.push({ id, image, mask });
    } else if (image) {
      const [file] = rel([image]);
      problems.push({
        severity: 'error',
        code: 'mask-missing',
        message: `${file} has no mask: expected ${relativeToRoot(root, masksDir)}/${id}.png (or ${id}_mask.<ext>, any image extension).`,
        files: [file!],
      });
    } else if (mask) {
      const [file] = rel([mask]);
      problems.push({
        severity: 'error',
        code: 'image-missing',
        message: `${file} has no image: expected ${relativeToRoot(root, imagesDir)}/${id}.jpg (or ${id}_image.<ext>, any image extension).`,
        files: [file!],
      });
    }
  }
  return { pairs, problems, imagesDir, masksDir, counts: { images: images.count, masks: masks.count } };
}
