/** Which folders are versioned and where their pointer files sit (DVC's `<folder>.dvc` next to `<folder>/`). */
import { posix } from 'node:path';

export interface DataLayout {
  /** Absolute path of the git work tree. */
  repoDir: string;
  /** Folder holding the tracked folders, relative to repoDir with '/' (default WMS/data/training). */
  dataDir: string;
  /** Tracked folder names inside dataDir (default images and masks). */
  outs: string[];
}

export const DEFAULT_DATA_DIR = 'WMS/data/training';
export const DEFAULT_OUTS = ['images', 'masks'];
/** The git ref in the remote that holds the latest data version (pointer files only), updated by compare-and-set. */
export const DATA_HEAD_REF = 'refs/wms/data';
/** Where a fetched copy of DATA_HEAD_REF is kept locally. */
export const LOCAL_DATA_HEAD_REF = 'refs/wms/remote-data';

export function pointerPath(layout: DataLayout, out: string): string {
  return posix.join(layout.dataDir, `${out}.dvc`);
}

export function folderPath(layout: DataLayout, out: string): string {
  return posix.join(layout.dataDir, out);
}
