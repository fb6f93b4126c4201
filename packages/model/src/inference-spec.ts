/**
 * `inference.json`: how a saved model turns its probability map into a mask (threshold and
 * post-processing). It is written beside model.json by training and read by every consumer of a
 * model directory (`evaluateModelDir`, the quality gate, `wms predict`), so a model is scored and
 * served exactly as it was validated. A directory without the file (models saved before it
 * existed) means threshold 0.5 and no post-processing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '@wms/core';
import { RANKER_FEATURES, type ComponentRanker } from './component-ranker';
import type { TrainConfig } from './config';
import { fixedPostprocess } from './derived-config';
import { DEFAULT_THRESHOLD } from './metrics';
import { NO_POSTPROCESS, type PostprocessSpec } from './postprocess';

export const INFERENCE_JSON = 'inference.json';

/** The refine network (refine/crops.ts), saved as a layers model in `<model dir>/<dir>/`. */
export interface RefineSpec {
  dir: string;
  input_size: number;
  margin: number;
  min_size: number;
  source_size: number;
  /** Test-time augmentation of the refine network: 'flips' averages 4 mirrored predictions. */
  tta?: 'none' | 'flips';
  /** Refine passes, each cropping around the previous pass's mask (absent: 1). */
  passes?: number;
  /**
   * First pass: the first stage's largest regions tried (absent: 1, the crop around the whole
   * first-stage mask); the one whose refined crop is most confidently foreground is kept.
   */
  regions?: number;
}

/** Test-time augmentation of the first network (segmenter.ts `predictProbabilities`). */
export type TtaMode = 'none' | 'flips' | 'dihedral';

export interface InferenceSpec {
  schemaVersion: 1;
  threshold: number;
  postprocess: PostprocessSpec;
  /** First network's test-time augmentation (absent: none). */
  tta?: TtaMode;
  /** An empty first-stage mask becomes the region around the map's peak (absent: false). */
  empty_fallback?: boolean;
  /**
   * With keep_largest_component: the first stage keeps the region this ranker scores highest
   * instead of the largest (component-ranker.ts; absent: the largest).
   */
  component_ranker?: ComponentRanker;
  refine?: RefineSpec;
}

export const REFINE_DIR = 'refine';

const inferenceSchema = z
  .object({
    schemaVersion: z.literal(1),
    threshold: z.number().gt(0).lt(1),
    postprocess: z.object({ keep_largest_component: z.boolean(), fill_holes: z.boolean() }).strict(),
    tta: z.enum(['none', 'flips', 'dihedral']).optional(),
    empty_fallback: z.boolean().optional(),
    component_ranker: z
      .object({
        features: z.array(z.enum(RANKER_FEATURES)).length(RANKER_FEATURES.length),
        mean: z.array(z.number()).length(RANKER_FEATURES.length),
        scale: z.array(z.number().positive()).length(RANKER_FEATURES.length),
        weights: z.array(z.number()).length(RANKER_FEATURES.length),
        examples: z.number().int().min(0),
      })
      .strict()
      .refine((r) => r.features.every((f, i) => f === RANKER_FEATURES[i]), {
        message: `features must be ${RANKER_FEATURES.join(', ')} in that order`,
      })
      .optional(),
    refine: z
      .object({
        dir: z.string().regex(/^[A-Za-z0-9_-]+$/, 'a sub-folder name'),
        input_size: z.number().int().min(16).max(1024),
        margin: z.number().min(0),
        min_size: z.number().min(0).max(1),
        source_size: z.number().int().min(32),
        tta: z.enum(['none', 'flips']).optional(),
        passes: z.number().int().min(1).max(3).optional(),
        regions: z.number().int().min(1).max(5).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const DEFAULT_INFERENCE: InferenceSpec = Object.freeze({
  schemaVersion: 1,
  threshold: DEFAULT_THRESHOLD,
  postprocess: NO_POSTPROCESS,
});

/** What the end-of-training choice may vary beyond post-processing (choose-inference.ts). */
export interface InferenceVariant {
  /** Refine passes (0: the first network alone). */
  passes: number;
  /** First-stage regions the first refine pass tries. */
  regions: number;
  tta: TtaMode;
  empty_fallback: boolean;
}

/**
 * The spec of a model trained with `config` that applies its refine network `passes` times
 * (0: the first network alone) and `postprocess` (default: the config's fixed steps, `auto` off).
 * Variant keys left out take the config's fixed value (`auto`: the simplest: 1 region, no
 * TTA, no fallback).
 */
export function inferenceSpecFromConfig(
  config: TrainConfig,
  passes = config.refine.enabled ? 1 : 0,
  postprocess: PostprocessSpec = fixedPostprocess(config.postprocess),
  variant: Partial<Omit<InferenceVariant, 'passes'>> = {},
): InferenceSpec {
  const tta = variant.tta ?? (config.inference.tta === 'auto' ? 'none' : config.inference.tta);
  const fallback =
    variant.empty_fallback ?? (config.inference.empty_fallback === 'auto' ? false : config.inference.empty_fallback);
  const spec: InferenceSpec = {
    schemaVersion: 1,
    threshold: DEFAULT_THRESHOLD,
    postprocess: { ...postprocess },
  };
  if (tta !== 'none') spec.tta = tta;
  if (fallback) spec.empty_fallback = true;
  if (passes > 0) {
    const { input_size, margin, min_size, source_size, tta: refineTta } = config.refine;
    const regions = variant.regions ?? (config.refine.regions === 'auto' ? 1 : config.refine.regions);
    spec.refine = { dir: REFINE_DIR, input_size, margin, min_size, source_size, tta: refineTta, passes };
    if (regions > 1) spec.refine.regions = regions;
  }
  return spec;
}

export function readInferenceSpec(modelDir: string): InferenceSpec {
  const file = join(modelDir, INFERENCE_JSON);
  if (!existsSync(file)) return DEFAULT_INFERENCE;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = inferenceSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `'${i.path.join('.') || '(top level)'}': ${i.message}`);
    throw new UserError(`${file} is not a valid inference spec: ${problems.join('; ')}`, {
      hint: 'Expected {"schemaVersion": 1, "threshold": 0.5, "postprocess": {"keep_largest_component": bool, "fill_holes": bool}, "refine"?: {...}} as `wms train` writes it.',
    });
  }
  return parsed.data as InferenceSpec;
}
