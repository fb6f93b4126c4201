/**
 * The image/mask pair shape that @wms/dataset's `discoverPairs` produces. Declared here with the
 * same fields so training does not wait on that package; switch to
 * `export type { Pair } from '@wms/dataset'` once it exports it.
 */
export interface Pair {
  /** Stable identifier (the file name without extension); the split hashes it. */
  id: string;
  /** Absolute path of the photo. */
  image: string;
  /** Absolute path of the binary mask (same name as the photo). */
  mask: string;
}
