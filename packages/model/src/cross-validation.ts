/**
 * `wms cv`: k-fold cross-validation of a training config on one dataset. Fold i holds out the
 * pairs with ⌊bucket · k⌋ = i (cv-folds.ts, the split's hash); the fold's model trains with
 * `trainModel` on the other pairs, choosing everything (early stopping, post-processing, refine
 * passes) on its own validation part of them, and is then scored on the held-out fold with the
 * quality gate's scorer (`evaluateModelDir`, through scoreModelOnPairs). The report gives each
 * fold's numbers, mean ± std over folds, the pooled share of photos under Dice 0.5 and the worst
 * photos with overlays; it is rewritten after every fold, so a long run shows its progress and
 * leaves what it has finished.
 */
import { join, resolve } from 'node:path';
import { UserError, writeFileAtomic, type Logger, type ProgressFactory } from '@wms/core';
import type { Pair } from '@wms/dataset';
import type { TrainConfig } from './config';
import type { TtaMode } from './inference-spec';
import { checkFolds, foldSplit } from './cv-folds';
import { errorOverlayPng, scoreModelOnPairs, stageCells, stagesMarkdown, summaryTable } from './evaluate-folder';
import { summarizeStages, type StageScores, type StageSummary } from './stage-breakdown';
import { fixed, mean, std, summarizeScores, worstScores, type ScoreSummary } from './score-summary';
import { reuseFoldModel } from './cv-reuse';
import { trainModel } from './train-model';
import type { BackendPreference } from './use-backend';

export const CV_REPORT_JSON = 'cv-report.json';
export const CV_REPORT_MD = 'cv-report.md';

export interface CrossValidationOptions {
  pairs: Pair[];
  config: TrainConfig;
  folds: number;
  /** Gets fold-<i>/model (each fold's model), overlays/ and the reports. */
  outDir: string;
  backend?: BackendPreference;
  /** Overrides `training.time_budget_sec` for every fold. */
  timeBudgetSec?: number;
  seed?: number;
  /** How many of the worst photos the report lists with overlays (default 10). */
  worst?: number;
  /**
   * An earlier cross-validation's output folder: its fold models are re-decided (inference chosen
   * again on each fold's validation pairs, cv-reuse.ts) instead of trained.
   */
  modelsFrom?: string;
}

export interface CvImageScore {
  id: string;
  fold: number;
  dice: number;
  iou: number;
  overlay?: string;
  /** The first network alone and the refine network on the true region (stage-breakdown.ts). */
  stages?: Omit<StageScores, 'id'>;
}

export interface FoldResult {
  fold: number;
  pairs: { train: number; validation: number; heldOut: number };
  /** Validation Dice of the fold's chosen model (what selection saw). */
  validationDice: number;
  heldOut: ScoreSummary;
  /** Where the fold's held-out misses were lost (stage-breakdown.ts). */
  stages?: StageSummary;
  /** What the fold's model chose on its validation pairs. */
  chosen: {
    postprocess: { keep_largest_component: boolean; fill_holes: boolean };
    refinePasses: number;
    /** First-stage regions the first refine pass tries (1: the crop around the whole mask). */
    regions: number;
    tta: TtaMode;
    empty_fallback: boolean;
    /** Which region keep_largest_component keeps (component-ranker.ts). */
    component_choice: 'largest' | 'ranked';
    foreground_prior: number | 'auto';
    pos_weight: number | 'auto';
  };
  bestEpoch: number;
  stopReason: string;
  /** This fold's wall time in this run (with --models-from: re-deciding and scoring only). */
  wallSec: number;
  /**
   * The fold model's training run, wall time (metrics.json timings); with --models-from, that
   * run's decode and training plus this run's end-of-training choice.
   */
  trainWallSec: number;
  modelDir: string;
}

export interface CrossValidationReport {
  schemaVersion: 1;
  folds: number;
  completedFolds: number;
  pairs: number;
  config: TrainConfig;
  /** Set when the fold models were re-decided from an earlier run (cv-reuse.ts), not trained. */
  modelsFrom?: string;
  perFold: FoldResult[];
  /** Mean ± std (population) of the folds' mean Dice and IoU. */
  acrossFolds: { dice: { mean: number; std: number }; iou: { mean: number; std: number } };
  /** Every held-out photo of every completed fold together. */
  pooled: ScoreSummary;
  /** Where the pooled misses were lost: missed by the first network, or found and lost later. */
  pooledStages?: StageSummary;
  perImage: CvImageScore[];
  worst: CvImageScore[];
}

export async function crossValidate(
  opts: CrossValidationOptions,
  deps: { logger: Logger; progress?: ProgressFactory },
): Promise<CrossValidationReport> {
  checkFolds(opts.folds, opts.pairs.length);
  const outDir = resolve(opts.outDir);
  if (opts.modelsFrom && resolve(opts.modelsFrom) === outDir) {
    throw new UserError(
      `--models-from and --out are both ${outDir}: re-deciding in place would overwrite the models' own records.`,
      {
        hint: 'Give --out a new folder; the re-decided fold models are written there.',
      },
    );
  }
  const worstCount = opts.worst ?? 10;
  const perFold: FoldResult[] = [];
  const perImage: CvImageScore[] = [];
  let report = buildReport(opts, perFold, perImage, worstCount);
  for (let fold = 0; fold < opts.folds; fold++) {
    const started = Date.now();
    const { split, heldOut } = foldSplit(opts.pairs, fold, opts.folds, opts.config.data);
    deps.logger.info(
      `fold ${fold + 1}/${opts.folds}: ${opts.modelsFrom ? 're-deciding the model trained' : 'training'} on ` +
        `${split.train.length} pairs, selecting on ` +
        `${split.validation.length}, holding out ${heldOut.length}`,
    );
    const foldDir = join(outDir, `fold-${fold + 1}`);
    const trained = opts.modelsFrom
      ? await reuseFoldModel(
          join(resolve(opts.modelsFrom), `fold-${fold + 1}`, 'model'),
          join(foldDir, 'model'),
          split,
          opts.config,
          deps.logger,
        )
      : await trainModel(
          {
            pairs: [...split.train, ...split.validation],
            split,
            config: opts.config,
            outputDir: foldDir,
            backend: opts.backend,
            timeBudgetSec: opts.timeBudgetSec,
            seed: opts.seed,
          },
          deps,
        ).then((t) => ({ modelDir: t.modelDir, record: t.record, validationDice: t.metrics.validation.mean.dice }));
    const scored = await scoreModelOnPairs(trained.modelDir, heldOut, {
      worst: worstCount,
      progress: deps.progress,
      stages: true,
    });
    const overlays = new Map<string, string>();
    for (const image of scored.worst) {
      const file = join('overlays', `fold-${fold + 1}-${image.pair.id.replace(/[^A-Za-z0-9._-]/g, '_')}.png`);
      await writeFileAtomic(join(outDir, file), await errorOverlayPng(image));
      overlays.set(image.pair.id, file);
    }
    for (const s of scored.perImage) {
      perImage.push({
        id: s.id,
        fold: fold + 1,
        dice: s.dice,
        iou: s.iou,
        overlay: overlays.get(s.id),
        ...(s.stages ? { stages: s.stages } : {}),
      });
    }
    const record = trained.record;
    const result: FoldResult = {
      fold: fold + 1,
      pairs: { train: split.train.length, validation: split.validation.length, heldOut: heldOut.length },
      validationDice: trained.validationDice,
      heldOut: summarizeScores(scored.perImage),
      ...(scored.stages ? { stages: scored.stages } : {}),
      chosen: {
        postprocess: record.inference?.postprocess ?? { keep_largest_component: false, fill_holes: false },
        refinePasses: record.inference?.passes ?? 0,
        regions: record.inference?.regions ?? 1,
        tta: record.inference?.tta ?? 'none',
        empty_fallback: record.inference?.empty_fallback ?? false,
        component_choice: record.inference?.component_choice ?? 'largest',
        foreground_prior: record.config.model.foreground_prior,
        pos_weight: record.config.training.loss.pos_weight,
      },
      bestEpoch: record.bestEpoch,
      stopReason: record.stopReason,
      wallSec: (Date.now() - started) / 1000,
      trainWallSec: record.timings.totalSec,
      modelDir: trained.modelDir,
    };
    perFold.push(result);
    report = buildReport(opts, perFold, perImage, worstCount);
    await writeReport(outDir, report);
    deps.logger.info(
      `fold ${fold + 1}/${opts.folds} done in ${(result.wallSec / 60).toFixed(1)} min: held-out Dice ` +
        `${fixed(result.heldOut.mean.dice)}, IoU ${fixed(result.heldOut.mean.iou)}, ${result.heldOut.misses} of ` +
        `${result.heldOut.count} under Dice 0.5 (validation Dice ${fixed(result.validationDice)}); so far ` +
        `${fixed(report.acrossFolds.dice.mean)} ± ${fixed(report.acrossFolds.dice.std)}`,
    );
  }
  deps.logger.info(`Wrote ${join(outDir, CV_REPORT_JSON)} and ${CV_REPORT_MD}`);
  return report;
}

export function buildReport(
  opts: Pick<CrossValidationOptions, 'folds' | 'pairs' | 'config' | 'modelsFrom'>,
  perFold: FoldResult[],
  perImage: CvImageScore[],
  worstCount: number,
): CrossValidationReport {
  const dice = perFold.map((f) => f.heldOut.mean.dice);
  const iou = perFold.map((f) => f.heldOut.mean.iou);
  const staged = perImage.flatMap((s) => (s.stages ? [{ id: `${s.fold}/${s.id}`, ...s.stages }] : []));
  const pooledStages =
    staged.length > 0
      ? summarizeStages(staged, new Map(perImage.map((s) => [`${s.fold}/${s.id}`, s.dice])))
      : undefined;
  return {
    schemaVersion: 1,
    folds: opts.folds,
    completedFolds: perFold.length,
    pairs: opts.pairs.length,
    config: opts.config,
    ...(opts.modelsFrom ? { modelsFrom: resolve(opts.modelsFrom) } : {}),
    perFold: [...perFold],
    acrossFolds: { dice: { mean: mean(dice), std: std(dice) }, iou: { mean: mean(iou), std: std(iou) } },
    pooled: summarizeScores(perImage),
    ...(pooledStages ? { pooledStages } : {}),
    perImage: [...perImage].sort((a, b) => a.fold - b.fold || a.id.localeCompare(b.id)),
    worst: worstScores(perImage, worstCount),
  };
}

async function writeReport(outDir: string, report: CrossValidationReport): Promise<void> {
  await writeFileAtomic(join(outDir, CV_REPORT_JSON), `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(join(outDir, CV_REPORT_MD), cvMarkdown(report));
}

export function cvMarkdown(report: CrossValidationReport): string {
  const { acrossFolds: a } = report;
  const foldRows = report.perFold.map((f) => {
    const pp = [
      f.chosen.postprocess.keep_largest_component
        ? f.chosen.component_choice === 'ranked'
          ? 'ranked'
          : 'largest'
        : '',
      f.chosen.postprocess.fill_holes ? 'fill' : '',
      f.chosen.tta !== 'none' ? `tta ${f.chosen.tta}` : '',
      f.chosen.empty_fallback ? 'fallback' : '',
    ]
      .filter(Boolean)
      .join('+');
    return (
      `| ${f.fold} | ${f.pairs.train} / ${f.pairs.validation} / ${f.pairs.heldOut} | ${fixed(f.validationDice)} | ` +
      `${fixed(f.heldOut.mean.dice)} | ${fixed(f.heldOut.mean.iou)} | ${fixed(f.heldOut.median.dice)} | ` +
      `${f.heldOut.misses} | ${pp || 'none'}, ${f.chosen.refinePasses}` +
      `${f.chosen.refinePasses > 0 && f.chosen.regions > 1 ? ` × ${f.chosen.regions} regions` : ''} | ` +
      `${(f.trainWallSec / 60).toFixed(1)} min |`
    );
  });
  const worstRows = report.worst.map(
    (w) =>
      `| ${w.id} | ${w.fold} | ${fixed(w.dice)} | ${fixed(w.iou)} | ${stageCells(w.stages)} | ${w.overlay ?? ''} |`,
  );
  return [
    `## Cross-validation (${report.completedFolds} of ${report.folds} folds, ${report.pairs} pairs)`,
    '',
    `Held-out Dice over folds **${fixed(a.dice.mean)} ± ${fixed(a.dice.std)}**, IoU ${fixed(a.iou.mean)} ± ` +
      `${fixed(a.iou.std)}; photos under Dice 0.5: **${report.pooled.misses} of ${report.pooled.count}** ` +
      `(${fixed(100 * report.pooled.missShare, 1)}%). Each fold's model is chosen on its own validation pairs only.` +
      (report.modelsFrom
        ? ` The networks are those of ${report.modelsFrom}; only their inference was chosen again (\`--models-from\`).`
        : ''),
    '',
    '| fold | train / val / held-out | val Dice | held-out Dice | IoU | median Dice | Dice < 0.5 | post-processing, refine passes | training wall |',
    '| ---: | ---------------------: | -------: | ------------: | --: | ----------: | ---------: | ------------------------------ | ------------: |',
    ...foldRows,
    '',
    'All held-out photos together:',
    '',
    summaryTable(report.pooled),
    '',
    ...(report.pooledStages ? [stagesMarkdown(report.pooledStages, report.pooled.misses), ''] : []),
    'Worst photos:',
    '',
    '| id | fold | Dice | IoU | first network Dice | mask covered by it | refine on true region | overlay |',
    '| -- | ---: | ---: | --: | ---: | ---: | ---: | ------- |',
    ...worstRows,
    '',
  ].join('\n');
}
