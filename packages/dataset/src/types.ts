/**
 * The data-qa report's shapes. The JSON report is a contract read by other tools: bump
 * QA_SCHEMA_VERSION when a field changes meaning or disappears (adding a field does not).
 */
export const QA_SCHEMA_VERSION = 1;

/** One image and its mask (absolute paths). */
export interface Pair {
  id: string;
  image: string;
  mask: string;
}

export type QaSeverity = 'error' | 'warning';

/** Stable problem codes; tests, the action and the CLI key on them. */
export const QA_CODES = [
  'unreadable-file',
  'not-an-image',
  'mask-missing',
  'image-missing',
  'ambiguous-pair',
  'size-mismatch',
  'resolution-out-of-policy',
  'mask-not-binary',
  'mask-zero-one',
  'mask-too-ambiguous',
  'mask-channels-differ',
  'mask-empty',
  'mask-full',
  'duplicate-image',
  'symlink-refused',
  'unsafe-file-name',
  'too-many-pixels',
  'unexpected-directory',
  'no-pairs',
] as const;
export type QaCode = (typeof QA_CODES)[number];

export interface QaProblem {
  severity: QaSeverity;
  code: QaCode;
  /** One sentence naming the file(s), the value found and what is expected. */
  message: string;
  /** Paths relative to the dataset root, '/'-separated. */
  files: string[];
}

export interface ResolutionPolicy {
  /** Smallest accepted side (px), after EXIF orientation. */
  minSide: number;
  /** Largest accepted side (px), after EXIF orientation. */
  maxSide: number;
  /** When non-empty, only these sizes are accepted. */
  exact: ReadonlyArray<{ width: number; height: number }>;
}

export interface QaOptions {
  /** The dataset root; problems name files relative to it and nothing outside it is read. */
  root: string;
  /** Relative to root. Default: WMS/data/training/images, or images/ when only that exists. */
  imagesDir?: string;
  /** Relative to root. Default: WMS/data/training/masks, or masks/ when only that exists. */
  masksDir?: string;
  resolution?: Partial<ResolutionPolicy>;
  /** Lossy (JPEG) masks: values within this distance of 0 or 255 count as binary. Default 32. */
  maskTolerance?: number;
  /** Lossy masks fail when more than this fraction of pixels is ambiguous. Default 0.01. */
  maxAmbiguousFraction?: number;
  emptyMask?: QaSeverity;
  fullMask?: QaSeverity;
  /** Images or masks with more pixels are refused before decoding (decompression bombs). */
  maxPixels?: number;
  /** Pairs inspected at once. Default: cores × 2 (sharp decodes on libuv's threads). */
  concurrency?: number;
  /** Coverage outliers lie beyond this many IQRs outside the quartiles. Default 1.5. */
  outlierIqrFactor?: number;
  /** When set, qa-report.json and qa-report.md are written here. */
  reportDir?: string;
  /** Annotation paths are relative to this folder (the repository checkout). Default: root. */
  annotationBase?: string;
}

export interface CoverageStats {
  /** Foreground fraction of the mask's pixels, over valid-mask pairs; null when there are none. */
  min: number | null;
  median: number | null;
  max: number | null;
  mean: number | null;
  outliers: Array<{ id: string; coverage: number }>;
}

export interface QaReport {
  schemaVersion: typeof QA_SCHEMA_VERSION;
  valid: boolean;
  root: string;
  imagesDir: string;
  masksDir: string;
  counts: {
    images: number;
    masks: number;
    /** Image/mask pairs found by name. */
    candidatePairs: number;
    /** Pairs with no error (warnings allowed): the ones training may use. */
    validPairs: number;
    errors: number;
    warnings: number;
  };
  /** The usable pairs, sorted by id. */
  pairs: Pair[];
  problems: QaProblem[];
  stats: {
    /** "WxH" as displayed (after EXIF orientation) → number of images. */
    resolutions: Record<string, number>;
    coverage: CoverageStats;
    /** Images whose EXIF orientation swaps or flips them. */
    exifOriented: number;
    maskFormats: Record<string, number>;
  };
  options: {
    resolution: ResolutionPolicy;
    maskTolerance: number;
    maxAmbiguousFraction: number;
    emptyMask: QaSeverity;
    fullMask: QaSeverity;
    maxPixels: number;
  };
}
