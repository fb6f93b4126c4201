/**
 * The training configuration: the seed's `WMS/configs/train.yaml` keys (model, training,
 * scheduler, data split, augmentation), validated with zod so a typo or a bad value fails
 * before any training starts, naming the key path, the value and what is accepted.
 * Every key has an embedded default, so training runs without the file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UserError } from '@wms/core';

const probability = z.number().min(0).max(1);

const modelSchema = z
  .object({
    architecture: z.literal('unet').default('unet'),
    input_channels: z.literal(3).default(3),
    output_channels: z.literal(1).default(1),
    /** Square input side in pixels; must be divisible by 2^depth. */
    input_size: z.number().int().min(16).max(1024).default(128),
    base_filters: z.number().int().min(1).max(128).default(8),
    /** Number of down-sampling levels (the seed: 4, plus the bottleneck). */
    depth: z.number().int().min(1).max(6).default(4),
    batch_norm: z.boolean().default(true),
    /**
     * Initial foreground probability of the output layer (its bias starts at logit(p)). Starting
     * near the true share (~2% on water meters, ~70% on cells) spares the first epochs from
     * unlearning 0.5. `auto`: the training masks' mean foreground share (derived-config.ts).
     */
    foreground_prior: z.union([z.number().gt(0).lt(1), z.literal('auto')]).default('auto'),
  })
  .strict();

const schedulerSchema = z
  .object({
    factor: z.number().gt(0).lt(1).default(0.5),
    patience: z.number().int().min(0).default(5),
    min_lr: z.number().min(0).default(1e-6),
  })
  .strict();

const lossSchema = z
  .object({
    bce_weight: z.number().min(0).default(1),
    dice_weight: z.number().min(0).default(1),
    /**
     * Weight of foreground pixels in BCE; >1 counters a small foreground (3 was measured best at
     * the water meters' ~2%), <1 a large one. `auto`: derived from the training masks'
     * foreground share (derived-config.ts).
     */
    pos_weight: z.union([z.number().gt(0), z.literal('auto')]).default('auto'),
  })
  .strict();

const trainingSchema = z
  .object({
    epochs: z.number().int().min(1).max(10_000).default(100),
    batch_size: z.number().int().min(1).max(256).default(4),
    learning_rate: z.number().gt(0).max(1).default(0.002),
    weight_decay: z.number().min(0).max(1).default(1e-4),
    early_stopping_patience: z.number().int().min(1).default(25),
    scheduler: schedulerSchema.default(() => schedulerSchema.parse({})),
    loss: lossSchema.default(() => lossSchema.parse({})),
    /**
     * Wall-clock budget for the training loop; evaluation and saving come on top. 18 minutes: the
     * defaults finish within 20 on 2 cores without tfjs-node (docs/training.md).
     */
    time_budget_sec: z
      .number()
      .gt(0)
      .default(18 * 60),
    seed: z.number().int().min(0).default(42),
    /** >1: data-parallel worker threads, each training on a shard of every batch (wasm backend). */
    workers: z.number().int().min(1).max(16).default(1),
    /**
     * Patch training of the first network: it learns on square patches of this side cut from the
     * photo decoded at `model.input_size`, and is applied to the whole photo at `model.input_size`
     * (patch-samples.ts). A batch costs what a batch at the patch size costs, so a higher input
     * resolution fits the same budget. 0 (default): whole photos. 192 px with 128 px patches scored
     * lower in 5-fold CV on the real meters (folds 1–4: 0.777, 12 misses, against 0.806, 8;
     * docs/training.md).
     */
    patch_size: z.number().int().min(0).max(1024).default(0),
    /** Share of the patches placed over the mask's foreground (the rest anywhere in the photo). */
    patch_foreground: probability.default(0.5),
  })
  .strict();

const dataSchema = z
  .object({
    train_split: probability.default(0.8),
    val_split: probability.default(0.1),
    test_split: probability.default(0.1),
    /**
     * A validation split must be able to decide something: when the hash gives fewer pairs, the
     * training pairs whose hash is nearest the validation range join it, up to a quarter of the
     * training pairs (split.ts). Test pairs never change.
     */
    min_val_pairs: z.number().int().min(0).max(10_000).default(8),
  })
  .strict()
  .refine((d) => Math.abs(d.train_split + d.val_split + d.test_split - 1) < 1e-6, {
    message: 'train_split + val_split + test_split must sum to 1',
  });

const augmentationSchema = z
  .object({
    horizontal_flip: probability.default(0.5),
    vertical_flip: probability.default(0.3),
    /** Max small rotation either way; 25 (was 10): in 5-fold CV on the real meters, 10 instead of 12 misses at the same pooled Dice. */
    rotation_degrees: z.number().min(0).max(45).default(25),
    rotation_prob: probability.default(0.5),
    /** Probability of a quarter turn (either way) on top: some meters are photographed sideways. */
    rotate90_prob: probability.default(0.2),
    /** Max relative zoom in or out around the centre, applied with probability `scale_prob`. */
    scale: z.number().min(0).max(0.5).default(0.15),
    scale_prob: probability.default(0.5),
    /** Probability of replacing colour by luma (the network must not rely on colour alone). */
    grayscale_prob: probability.default(0),
    color_jitter_prob: probability.default(0.3),
    /** Max relative change of brightness / contrast when jitter applies. */
    brightness: z.number().min(0).max(1).default(0.2),
    contrast: z.number().min(0).max(1).default(0.2),
  })
  .strict();

/**
 * How the thresholded prediction is cleaned up; saved with the model (inference.json) and applied
 * the same way in validation, evaluation, the quality gate and `wms predict`.
 */
const postprocessStep = z.union([z.boolean(), z.literal('auto')]).default('auto');
const postprocessSchema = z
  .object({
    /**
     * Keep only the largest 8-connected region (one reading window per water-meter photo).
     * `auto`: kept only when it raises validation Dice at the end of training (choose-inference.ts).
     */
    keep_largest_component: postprocessStep,
    /** Fill background regions enclosed by the prediction; `auto` as above. */
    fill_holes: postprocessStep,
    /**
     * Which region keep_largest_component keeps. `largest`; `ranked`: the one a ranker scores
     * highest, fitted at the end of training on the training pairs' first-stage regions (size,
     * confidence, shape, position: component-ranker.ts); `auto`: whichever scores higher on
     * validation (ties: largest). Default ranked: on the same 5-fold CV networks it raised pooled
     * held-out Dice 0.8070 → 0.8135 and cut the misses 10 → 9 (2 recovered, 1 lost); `auto` tied
     * on validation and changed nothing (docs/training.md).
     */
    component_choice: z.enum(['largest', 'ranked', 'auto']).default('ranked'),
  })
  .strict();

/**
 * How the first network is applied to a photo (segmenter.ts); saved with the model
 * (inference.json). `auto` values are decided at the end of training: `tta` on validation
 * (choose-inference.ts), `empty_fallback` from the training masks (derived-config.ts).
 */
const inferenceSchema = z
  .object({
    /**
     * Test-time augmentation of the first network: `flips` averages 4 mirrored predictions,
     * `dihedral` 8 (mirrors and quarter turns: a window photographed sideways is seen upright in
     * half of them). `auto` (default): none or dihedral, whichever scores higher on validation;
     * with the refine network trained on stage errors it raised 5-fold CV Dice 0.795 → 0.801 and
     * cut the misses 14 → 12 (docs/training.md).
     */
    tta: z.enum(['auto', 'none', 'flips', 'dihedral']).default('auto'),
    /**
     * When the thresholded first-stage map is empty, take the region around its most confident
     * pixel (above half that pixel's probability) instead of predicting nothing. `auto`: on when
     * every training mask has foreground (then "nothing" is never right). Default off: it changed
     * no held-out photo of the 5-fold CV (docs/training.md).
     */
    empty_fallback: z.union([z.boolean(), z.literal('auto')]).default(false),
    /**
     * How the end-of-training choice picks among the combinations it scores on validation:
     * `best` takes the highest Dice; `one_se` the simplest whose Dice is within one standard
     * error (paired over the validation photos) of the highest (choose-inference.ts). Default
     * best: one_se dropped the refine network on small validation splits and scored lower in
     * 5-fold CV (docs/training.md).
     */
    selection: z.enum(['best', 'one_se']).default('best'),
  })
  .strict();

/**
 * Crop-and-refine (refine/crops.ts): a second U-Net, same architecture, trained on crops around the
 * mask and applied to a crop around the first network's region, for edges finer than the first
 * network's input grid.
 */
const refineSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Square input side of the refine network; divisible by 2^depth. */
    input_size: z.number().int().min(16).max(1024).default(96),
    /** Share of the region's size added on each side of the crop. */
    margin: z.number().min(0).max(2).default(0.3),
    /** The crop is at least this share of the photo's width and height. */
    min_size: z.number().min(0).max(1).default(0.05),
    /** Training: random shift and scale of the crop by up to this share (stage-1 error). */
    jitter: z.number().min(0).max(0.5).default(0.15),
    /**
     * Training: share of crops cut around an imitated first-stage mistake (a piece of the region,
     * a box up to 3× too large and off-centre, or a box elsewhere in the photo) instead of the
     * true region, so the network corrects the regions it is actually handed (refine/crops.ts).
     * 0: every crop around the true region (jittered), as before.
     */
    stage_errors: probability.default(0.5),
    /** Photos are decoded with this long side before cropping. */
    source_size: z.number().int().min(32).max(8192).default(768),
    /**
     * Train both networks at the same time, each in its own worker thread (one core each); both
     * get the whole budget. false: one after the other in this thread, split by `time_share`.
     */
    concurrent: z.boolean().default(true),
    /** Test-time augmentation of the refine network: 'flips' averages 4 mirrored predictions. */
    tta: z.enum(['none', 'flips']).default('flips'),
    /**
     * Inference: up to this many refine passes, each cropping around the previous pass's mask
     * (a second pass re-centres a crop the first network placed off the window). Training keeps
     * the count, 0 (no refine network) included, that scores best on validation.
     */
    max_passes: z.number().int().min(1).max(3).default(2),
    /**
     * BCE foreground weight of the refine network's loss. Its crops are ~30% foreground, not the
     * photos' ~2%, so the first network's weight (training.loss.pos_weight) would push it to
     * over-segment.
     */
    pos_weight: z.number().gt(0).default(1),
    /** Sequential only: share of the training budget given to the refine network. */
    time_share: z.number().gt(0).lt(1).default(0.5),
    /**
     * Inference: how many of the first stage's regions (its largest connected components) the
     * refine network looks at; the region whose refined crop is most confidently foreground wins,
     * so a stray blob larger than the window does not take the crop. `auto`: 1 or 3, whichever
     * scores higher on validation. Default 1 (docs/training.md: 5-fold CV).
     */
    regions: z.union([z.number().int().min(1).max(5), z.literal('auto')]).default(1),
  })
  .strict();

/** Thresholds the seed kept beside the training keys; read by the quality gate, not by training. */
const baselineSchema = z.object({ min_dice: probability.optional(), min_iou: probability.optional() }).strict();

export const trainConfigSchema = z
  .object({
    model: modelSchema.default(() => modelSchema.parse({})),
    training: trainingSchema.default(() => trainingSchema.parse({})),
    data: dataSchema.default(() => dataSchema.parse({})),
    augmentation: augmentationSchema.default(() => augmentationSchema.parse({})),
    postprocess: postprocessSchema.default(() => postprocessSchema.parse({})),
    refine: refineSchema.default(() => refineSchema.parse({})),
    inference: inferenceSchema.default(() => inferenceSchema.parse({})),
    baseline: baselineSchema.optional(),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const divisor = 2 ** cfg.model.depth;
    const patch = cfg.training.patch_size;
    if (patch !== 0 && (patch % divisor !== 0 || patch > cfg.model.input_size)) {
      ctx.addIssue({
        code: 'custom',
        path: ['training', 'patch_size'],
        message: `must be 0 (whole photos) or a multiple of 2^depth = ${divisor} no larger than model.input_size ${cfg.model.input_size}`,
        input: patch,
      });
    }
    if (cfg.refine.enabled && cfg.refine.input_size % divisor !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['refine', 'input_size'],
        message: `must be divisible by 2^depth = ${divisor} (model.depth ${cfg.model.depth})`,
        input: cfg.refine.input_size,
      });
    }
    if (cfg.model.input_size % divisor !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['model', 'input_size'],
        message: `must be divisible by 2^depth = ${divisor} (depth ${cfg.model.depth})`,
        input: cfg.model.input_size,
      });
    }
  });

export type TrainConfig = z.infer<typeof trainConfigSchema>;
export type AugmentationConfig = TrainConfig['augmentation'];
export type ModelConfig = TrainConfig['model'];
export type RefineConfig = TrainConfig['refine'];
export type PostprocessConfig = TrainConfig['postprocess'];
export type InferenceConfig = TrainConfig['inference'];

export const DEFAULT_TRAIN_CONFIG: TrainConfig = Object.freeze(trainConfigSchema.parse({})) as TrainConfig;

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const path = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length > 0 ? ` under '${path}'` : '';
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}${where}; remove or fix the spelling`;
  }
  let value: unknown = raw;
  for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
  return `'${path}' = ${JSON.stringify(value)}: ${issue.message}`;
}

/** Validates an already-parsed object (from YAML, a test or the CLI). `source` names it in errors. */
export function parseTrainConfig(raw: unknown, source = 'train config'): TrainConfig {
  const result = trainConfigSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `- ${describeIssue(i, raw)}`);
  throw new UserError(`Invalid training config ${source}:\n${problems.join('\n')}`, {
    hint: 'See docs/training.md for every key, its default and accepted values.',
  });
}

/** Loads `path` (YAML), or returns the embedded defaults when no path is given. */
export function loadTrainConfig(path?: string): TrainConfig {
  if (path === undefined || path === '') return trainConfigSchema.parse({});
  if (!existsSync(path)) {
    throw new UserError(`Training config ${path} does not exist.`, {
      hint: 'Pass an existing YAML file, or omit the config to use the defaults.',
    });
  }
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`Training config ${path} is not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  return parseTrainConfig(raw, path);
}
