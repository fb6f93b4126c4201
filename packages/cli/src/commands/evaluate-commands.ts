/** `wms evaluate` (any saved model on any labelled folder) and `wms cv` (k-fold cross-validation). */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  BACKEND_PREFERENCES,
  activateBackend,
  crossValidate,
  cvMarkdown,
  evaluateFolder,
  evaluationMarkdown,
  type BackendPreference,
} from '@wms/model';
import { discoverTrainingPairs, resolveTrainConfig } from '@wms/pipeline';
import { choiceOption, integerOption, type CliContext } from '../cli-options';

const stamp = (): string => new Date().toISOString().replace(/[:.]/g, '-');

export function registerEvaluateCommands(program: Command, ctx: CliContext): void {
  program
    .command('evaluate')
    .description(
      'Score a saved model on a labelled folder at each mask’s original resolution: evaluation.json, evaluation.md and overlays of the worst photos.',
    )
    .requiredOption('--model <dir>', 'model folder (model.json, weights.bin, inference.json)')
    .requiredOption('--data-dir <dir>', 'labelled folder (images/ + masks/)')
    .option('--out <dir>', 'where the reports and overlays go', `.wms/evaluations/${stamp()}`)
    .option('--worst <n>', 'overlays of this many worst photos', integerOption('--worst', 0, 1000), 8)
    .option(
      '--stages',
      'also score the first network alone and the refine network around the true region, to tell misses of the first network from misses of the later steps',
    )
    .option(
      '--backend <name>',
      `${BACKEND_PREFERENCES.join(', ')}`,
      choiceOption('--backend', BACKEND_PREFERENCES),
      'auto',
    )
    .action(
      async (o: {
        model: string;
        dataDir: string;
        out: string;
        worst: number;
        stages?: boolean;
        backend: BackendPreference;
      }) => {
        await activateBackend(o.backend, ctx.logger);
        const result = await evaluateFolder(
          {
            modelDir: resolve(ctx.cwd, o.model),
            dataDir: resolve(ctx.cwd, o.dataDir),
            outDir: resolve(ctx.cwd, o.out),
            worst: o.worst,
            stages: o.stages === true,
          },
          { logger: ctx.logger, progress: ctx.progress },
        );
        ctx.print(evaluationMarkdown(result, resolve(ctx.cwd, o.out)));
      },
    );

  program
    .command('cv')
    .description(
      'k-fold cross-validation of the training config: per-fold and mean ± std Dice/IoU, photos under Dice 0.5, the worst photos.',
    )
    .option('--data-dir <dir>', 'dataset root (images/ + masks/)', '.')
    .option('--folds <k>', 'number of folds', integerOption('--folds', 2, 20), 5)
    .option('--config <file>', 'training config (default: WMS/configs/train.yaml if present, else embedded defaults)')
    .option('--out <dir>', 'fold models, overlays, cv-report.json and cv-report.md', `.wms/cv/${stamp()}`)
    .option(
      '--backend <name>',
      `${BACKEND_PREFERENCES.join(', ')}`,
      choiceOption('--backend', BACKEND_PREFERENCES),
      'auto',
    )
    .option(
      '--time-budget <sec>',
      'wall-clock budget of each fold’s training loop',
      integerOption('--time-budget', 1, 7 * 24 * 3600),
    )
    .option('--seed <n>', 'random seed', integerOption('--seed', 0))
    .option('--worst <n>', 'worst photos listed with overlays', integerOption('--worst', 0, 1000), 10)
    .option(
      '--models-from <dir>',
      'an earlier `wms cv --out` folder: re-decide its fold models’ inference (post-processing, the component ranker, refine passes, regions, TTA) on each fold’s validation pairs and re-score, without training',
    )
    .action(
      async (o: {
        dataDir: string;
        folds: number;
        config?: string;
        out: string;
        backend: BackendPreference;
        timeBudget?: number;
        seed?: number;
        worst: number;
        modelsFrom?: string;
      }) => {
        const config = resolveTrainConfig(o.config, ctx.cwd, ctx.logger);
        const pairs = await discoverTrainingPairs(o.dataDir, ctx.cwd, ctx.logger);
        const report = await crossValidate(
          {
            pairs,
            config,
            folds: o.folds,
            outDir: resolve(ctx.cwd, o.out),
            backend: o.backend,
            timeBudgetSec: o.timeBudget,
            seed: o.seed,
            worst: o.worst,
            modelsFrom: o.modelsFrom ? resolve(ctx.cwd, o.modelsFrom) : undefined,
          },
          { logger: ctx.logger, progress: ctx.progress },
        );
        ctx.print(cvMarkdown(report));
      },
    );
}
