import { resolve, parse as parsePath, join } from 'node:path';
import type { Command } from 'commander';
import { BACKEND_PREFERENCES, predictToFiles, trainSummaryMarkdown, type BackendPreference } from '@wms/model';
import { runTrainStage } from '@wms/pipeline';
import { choiceOption, integerOption, trackingUriFrom, type CliContext } from '../cli-options';

export function registerModelCommands(program: Command, ctx: CliContext): void {
  program
    .command('train')
    .description('Train the U-Net on a dataset, evaluate it on held-out pairs and save it.')
    .option('--data-dir <dir>', 'dataset root (images/ + masks/, or WMS/data/training/...)', '.')
    .option('--config <file>', 'training config (default: WMS/configs/train.yaml if present, else embedded defaults)')
    .option(
      '--output <dir>',
      'run folder; the model goes to <dir>/model',
      `.wms/runs/${new Date().toISOString().replace(/[:.]/g, '-')}`,
    )
    .option(
      '--backend <name>',
      `${BACKEND_PREFERENCES.join(', ')}`,
      choiceOption('--backend', BACKEND_PREFERENCES),
      'auto',
    )
    .option(
      '--time-budget <sec>',
      'wall-clock budget of the training loop',
      integerOption('--time-budget', 1, 7 * 24 * 3600),
    )
    .option('--seed <n>', 'random seed', integerOption('--seed', 0))
    .option('--tracking-uri <uri>', 'MLflow URL, or empty for the local store in .wms/registry')
    .option('--experiment <name>', 'tracking experiment', 'water-meter')
    .action(
      async (o: {
        dataDir: string;
        config?: string;
        output: string;
        backend: BackendPreference;
        timeBudget?: number;
        seed?: number;
        trackingUri?: string;
        experiment: string;
      }) => {
        const result = await runTrainStage(
          {
            dataDir: o.dataDir,
            config: o.config,
            outputDir: o.output,
            backend: o.backend,
            timeBudgetSec: o.timeBudget,
            seed: o.seed,
            trackingUri: trackingUriFrom(o.trackingUri, ctx.env),
            experiment: o.experiment,
            workspace: ctx.cwd,
            env: ctx.env,
          },
          { logger: ctx.logger, progress: ctx.progress },
        );
        ctx.print(trainSummaryMarkdown(result));
        ctx.logger.info(`Model: ${result.modelDir} (run ${result.runId})`);
      },
    );

  program
    .command('predict')
    .description('Predict the mask of one photo: writes <name>.mask.png and <name>.overlay.png.')
    .requiredOption('--model <dir>', 'model folder (model.json, weights.bin)')
    .option('--out-dir <dir>', 'where the PNGs go (default: beside the image)')
    .argument('<image>', 'photo to segment')
    .action(async (image: string, o: { model: string; outDir?: string }) => {
      const imagePath = resolve(ctx.cwd, image);
      const { dir, name } = parsePath(imagePath);
      const outDir = o.outDir ? resolve(ctx.cwd, o.outDir) : dir;
      const maskPath = join(outDir, `${name}.mask.png`);
      const overlayPath = join(outDir, `${name}.overlay.png`);
      const summary = await predictToFiles(resolve(ctx.cwd, o.model), imagePath, maskPath, overlayPath);
      ctx.logger.info(`Mask: ${maskPath}\nOverlay: ${overlayPath}`);
      ctx.print(`\`\`\`json\n${JSON.stringify(summary, null, 2)}\n\`\`\``);
    });
}
