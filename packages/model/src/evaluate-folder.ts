/**
 * `wms evaluate`: any saved model on any labelled folder. Scores every pair with
 * `evaluateModelDir` (the quality gate's and cross-validation's scorer: each mask at its original
 * resolution, the model's own inference.json), then writes per-image results as JSON and
 * markdown and the worst photos as overlays (green: found, red: predicted but not in the mask,
 * blue: missed).
 */
import { join, relative, resolve } from 'node:path';
import sharp from 'sharp';
import { UserError, writeFileAtomic, type EvaluationResult, type Logger, type ProgressFactory } from '@wms/core';
import { discoverPairs, type Pair } from '@wms/dataset';
import { evaluate, type ScoredImage } from './evaluate';
import { readRgbSized } from './image-io';
import { fixed, summarizeScores, worstScores, type ScoreSummary } from './score-summary';
import { disposeSegmenter, loadSegmenter } from './segmenter';
import { FOUND_COVER, stageScores, summarizeStages, type StageScores, type StageSummary } from './stage-breakdown';
import { ensureBackend } from './use-backend';

export const EVALUATION_JSON = 'evaluation.json';
export const EVALUATION_MD = 'evaluation.md';

export interface EvaluateFolderOptions {
  modelDir: string;
  dataDir: string;
  /** Where evaluation.json, evaluation.md and overlays/ go; nothing is written without it. */
  outDir?: string;
  /** How many of the worst photos get an overlay (default 8). */
  worst?: number;
  /** Also score the first network alone and the refine network on the true region (stage-breakdown.ts). */
  stages?: boolean;
}

export interface ImageResult {
  id: string;
  dice: number;
  iou: number;
  image: string;
  mask: string;
  width: number;
  height: number;
  /** Pixels in the mask, in the prediction, and in both. */
  truthPixels: number;
  predictedPixels: number;
  overlapPixels: number;
  /** With `stages`: the first network alone and the refine network around the true region. */
  stages?: Omit<StageScores, 'id'>;
}

export interface FolderEvaluation {
  schemaVersion: 1;
  modelDir: string;
  dataDir: string;
  summary: ScoreSummary;
  threshold: number;
  /** With `stages`: where the photos under Dice 0.5 were lost. */
  stages?: StageSummary;
  perImage: ImageResult[];
  /** Ids of the worst photos, worst first, and their overlay files (relative to outDir). */
  worst: { id: string; dice: number; overlay?: string }[];
}

/** Keeps the masks of the `n` worst images seen so far (memory: n masks, not the whole folder). */
function worstKeeper(n: number): { add(image: ScoredImage): void; kept(): ScoredImage[] } {
  let kept: ScoredImage[] = [];
  return {
    add(image) {
      if (n <= 0) return;
      kept.push(image);
      kept.sort((a, b) => a.score.dice - b.score.dice || a.pair.id.localeCompare(b.pair.id));
      if (kept.length > n) kept = kept.slice(0, n);
    },
    kept: () => kept,
  };
}

/** The photo at the mask's size with true positives green, false positives red and misses blue. */
export async function errorOverlayPng(image: ScoredImage): Promise<Buffer> {
  const { width, height } = image.truth;
  const photo = await readRgbSized(image.pair.image, width, height);
  const out = Buffer.from(photo.data);
  for (let i = 0; i < width * height; i++) {
    const p = image.predicted[i] === 1;
    const t = image.truth.data[i] === 1;
    if (!p && !t) continue;
    const tint = p && t ? [0, 255, 0] : p ? [255, 0, 0] : [0, 80, 255];
    for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round(((out[i * 3 + c] ?? 0) + tint[c]!) / 2);
  }
  return sharp(out, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * Scores `pairs` with the saved model as it is served; `onImage` sees each final mask (e.g. for
 * overlays). With `stages`, each image also gets its stage scores (stage-breakdown.ts).
 */
export async function scoreModelOnPairs(
  modelDir: string,
  pairs: readonly Pair[],
  opts: { worst?: number; progress?: ProgressFactory; stages?: boolean } = {},
): Promise<{ evaluation: EvaluationResult; perImage: ImageResult[]; worst: ScoredImage[]; stages?: StageSummary }> {
  const keeper = worstKeeper(opts.worst ?? 8);
  const perImage: ImageResult[] = [];
  await ensureBackend();
  const segmenter = await loadSegmenter(modelDir);
  try {
    const evaluation = await evaluate(segmenter, pairs, {
      progress: opts.progress?.(),
      onImage: (scored) => {
        let truthPixels = 0;
        let predictedPixels = 0;
        let overlapPixels = 0;
        for (let i = 0; i < scored.predicted.length; i++) {
          const p = scored.predicted[i] === 1;
          const t = scored.truth.data[i] === 1;
          if (p) predictedPixels++;
          if (t) truthPixels++;
          if (p && t) overlapPixels++;
        }
        perImage.push({
          ...scored.score,
          image: scored.pair.image,
          mask: scored.pair.mask,
          width: scored.truth.width,
          height: scored.truth.height,
          truthPixels,
          predictedPixels,
          overlapPixels,
        });
        keeper.add(scored);
      },
    });
    if (!opts.stages) return { evaluation, perImage, worst: keeper.kept() };
    const stages = await stageScores(segmenter, pairs, opts.progress?.());
    const byId = new Map(stages.map(({ id, ...rest }) => [id, rest]));
    for (const image of perImage) image.stages = byId.get(image.id);
    const summary = summarizeStages(stages, new Map(perImage.map((r) => [r.id, r.dice])));
    return { evaluation, perImage, worst: keeper.kept(), stages: summary };
  } finally {
    disposeSegmenter(segmenter);
  }
}

export async function evaluateFolder(
  opts: EvaluateFolderOptions,
  deps: { logger: Logger; progress?: ProgressFactory },
): Promise<FolderEvaluation> {
  const modelDir = resolve(opts.modelDir);
  const dataDir = resolve(opts.dataDir);
  const { pairs } = await discoverPairs({ root: dataDir });
  if (pairs.length === 0) {
    throw new UserError(`No image/mask pairs found in ${dataDir}.`, {
      hint: 'Expected images/ and masks/ (or WMS/data/training/...) with matching file names.',
    });
  }
  deps.logger.info(`Evaluating ${modelDir} on ${pairs.length} pairs of ${dataDir} at each mask's resolution`);
  const { evaluation, perImage, worst, stages } = await scoreModelOnPairs(modelDir, pairs, {
    worst: opts.worst,
    progress: deps.progress,
    stages: opts.stages,
  });
  const result: FolderEvaluation = {
    schemaVersion: 1,
    modelDir,
    dataDir,
    summary: summarizeScores(perImage),
    threshold: evaluation.threshold,
    ...(stages ? { stages } : {}),
    perImage: [...perImage].sort((a, b) => a.id.localeCompare(b.id)),
    worst: worst.map((w) => ({ id: w.pair.id, dice: w.score.dice })),
  };
  if (opts.outDir !== undefined) {
    const outDir = resolve(opts.outDir);
    for (const [rank, image] of worst.entries()) {
      const file = join('overlays', `${String(rank + 1).padStart(2, '0')}-${safeName(image.pair.id)}.png`);
      await writeFileAtomic(join(outDir, file), await errorOverlayPng(image));
      result.worst[rank]!.overlay = file;
    }
    await writeFileAtomic(join(outDir, EVALUATION_JSON), `${JSON.stringify(result, null, 2)}\n`);
    await writeFileAtomic(join(outDir, EVALUATION_MD), evaluationMarkdown(result, outDir));
    deps.logger.info(`Wrote ${join(outDir, EVALUATION_JSON)}, ${EVALUATION_MD} and ${worst.length} overlays`);
  }
  return result;
}

export function summaryTable(s: ScoreSummary): string {
  return [
    '| photos | mean Dice | ± std | median Dice | mean IoU | ± std | min Dice | Dice < 0.5 |',
    '| -----: | --------: | ----: | ----------: | -------: | ----: | -------: | ---------: |',
    `| ${s.count} | ${fixed(s.mean.dice)} | ${fixed(s.std.dice)} | ${fixed(s.median.dice)} | ` +
      `${fixed(s.mean.iou)} | ${fixed(s.std.iou)} | ${fixed(s.min.dice)} | ${s.misses} (${fixed(100 * s.missShare, 1)}%) |`,
  ].join('\n');
}

/**
 * The stage breakdown in a sentence: how many misses the first network made and how many the
 * later steps, with the means that say which stage to improve.
 */
export function stagesMarkdown(stages: StageSummary, misses: number): string {
  const refine =
    stages.refineOnTruthDice === undefined
      ? ''
      : `; one refine pass around the true region: **${fixed(stages.refineOnTruthDice)}** (what a perfectly placed crop gives)`;
  return (
    `Of the ${misses} photos under Dice 0.5, **${stages.misses.firstStage} were missed by the first network** ` +
    `(its region holds less than ${FOUND_COVER * 100}% of the mask) and **${stages.misses.later} were found by it and lost ` +
    `by the later steps**. First network alone: mean Dice ${fixed(stages.firstStageDice)}${refine}.`
  );
}

/** The three stage-breakdown cells of a per-photo table row ('—' where a score is absent). */
export function stageCells(stages: Omit<StageScores, 'id'> | undefined): string {
  const cell = (v: number | undefined, digits?: number): string => (v === undefined ? '—' : fixed(v, digits));
  return `${cell(stages?.firstStageDice)} | ${cell(stages?.firstStageCover, 2)} | ${cell(stages?.refineOnTruthDice)}`;
}

export function evaluationMarkdown(result: FolderEvaluation, outDir?: string): string {
  const withStages = result.stages !== undefined;
  const rows = worstScores(result.perImage, result.perImage.length).map(
    (r) =>
      `| ${r.id} | ${fixed(r.dice)} | ${fixed(r.iou)} | ${r.width}×${r.height} | ${r.truthPixels} | ` +
      `${r.predictedPixels} | ${r.overlapPixels} |` +
      (withStages ? ` ${stageCells(r.stages)} |` : ''),
  );
  const overlays = result.worst.filter((w) => w.overlay).map((w) => `- ${w.id} (Dice ${fixed(w.dice)}): ${w.overlay}`);
  return [
    '## Evaluation',
    '',
    `Model \`${outDir ? relative(outDir, result.modelDir) || '.' : result.modelDir}\` on ${result.summary.count} pairs ` +
      `of \`${result.dataDir}\`, scored at each mask's original resolution (threshold ${result.threshold}).`,
    '',
    summaryTable(result.summary),
    '',
    ...(result.stages ? [stagesMarkdown(result.stages, result.summary.misses), ''] : []),
    ...(overlays.length
      ? ['Worst photos (green: found, red: predicted outside the mask, blue: missed):', '', ...overlays, '']
      : []),
    '<details><summary>Per image, worst first</summary>',
    '',
    '| id | Dice | IoU | size | mask px | predicted px | overlap px |' +
      (withStages ? ' first network Dice | mask covered by it | refine on true region |' : ''),
    '| -- | ---: | --: | ---- | ------: | -----------: | ---------: |' + (withStages ? ' ---: | ---: | ---: |' : ''),
    ...rows,
    '',
    '</details>',
    '',
  ].join('\n');
}
