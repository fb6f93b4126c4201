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
}

export interface InferenceSpec {
  schemaVersion: 1;
  threshold: number;
  postprocess: PostprocessSpec;
  refine?: RefineSpec;
}

export const REFINE_DIR = 'refine';

const inferenceSchema = z
  .object({
    schemaVersion: z.literal(1),
    threshold: z.number().gt(0).lt(1),
    postprocess: z.object({ keep_largest_component: z.boolean(), fill_holes: z.boolean() }).strict(),
    refine: z
      .object({
        dir: z.string().regex(/^[A-Za-z0-9_-]+$/, 'a sub-folder name'),
        input_size: z.number().int().min(16).max(1024),
        margin: z.number().min(0),
        min_size: z.number().min(0).max(1),
        source_size: z.number().int().min(32),
        tta: z.enum(['none', 'flips']).optional(),
        passes: z.number().int().min(1).max(3).optional(),
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

/**
 * The spec of a model trained with `config` that applies its refine network `passes` times
 * (0: the first network alone) and `postprocess` (default: the config's fixed steps, `auto` off).
 */
export function inferenceSpecFromConfig(
  config: TrainConfig,
  passes = config.refine.enabled ? 1 : 0,
  postprocess: PostprocessSpec = fixedPostprocess(config.postprocess),
): InferenceSpec {
  const spec: InferenceSpec = {
    schemaVersion: 1,
    threshold: DEFAULT_THRESHOLD,
    postprocess: { ...postprocess },
  };
  if (passes > 0) {
    const { input_size, margin, min_size, source_size, tta } = config.refine;
    spec.refine = { dir: REFINE_DIR, input_size, margin, min_size, source_size, tta, passes };
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
