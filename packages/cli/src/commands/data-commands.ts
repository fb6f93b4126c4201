import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_IMAGES_DIR, SYNTH_DEFAULTS, SYNTH_KINDS, generateSynthDataset, type SynthKind } from '@wms/dataset';
import { runQaStage } from '@wms/pipeline';
import { choiceOption, integerOption, numberOption, type CliContext } from '../cli-options';

export function registerDataCommands(program: Command, ctx: CliContext): void {
  program
    .command('synth')
    .description('Generate deterministic sample photos (JPEG) and masks (PNG): water meters, or cells (--kind cells).')
    .option('--out <dir>', 'output folder (gets images/ and masks/)', 'WMS/data/training')
    .option('--kind <kind>', `${SYNTH_KINDS.join(' or ')}`, choiceOption('--kind', SYNTH_KINDS), 'meters')
    .option('--count <n>', 'number of pairs', integerOption('--count', 1, 1_000_000), 100)
    .option('--width <px>', 'image width', integerOption('--width', 64, 8192), SYNTH_DEFAULTS.width)
    .option('--height <px>', 'image height', integerOption('--height', 64, 8192), SYNTH_DEFAULTS.height)
    .option('--seed <n>', 'random seed', integerOption('--seed', 0), SYNTH_DEFAULTS.seed)
    .action(async (o: { out: string; kind: SynthKind; count: number; width: number; height: number; seed: number }) => {
      const progress = ctx.progress();
      const { pairs } = await generateSynthDataset({ outDir: resolve(ctx.cwd, o.out), ...o, progress });
      progress.stop();
      ctx.logger.info(`Wrote ${pairs.length} pairs to ${resolve(ctx.cwd, o.out)}`);
    });

  program
    .command('qa')
    .description('Validate a dataset of image/mask pairs and write qa-report.json and qa-report.md.')
    .option('--data-dir <dir>', 'dataset root', '.')
    .option('--images-dir <dir>', `images folder relative to the root (default ${DEFAULT_IMAGES_DIR}, or images/)`)
    .option('--masks-dir <dir>', 'masks folder relative to the root')
    .option('--report-dir <dir>', 'where the reports go', 'data-qa-report')
    .option('--min-side <px>', 'smallest accepted side', integerOption('--min-side', 1))
    .option('--max-side <px>', 'largest accepted side', integerOption('--max-side', 1))
    .option(
      '--mask-tolerance <n>',
      'JPEG masks: distance from 0/255 that still counts as binary',
      integerOption('--mask-tolerance', 0, 127),
    )
    .option(
      '--max-ambiguous-fraction <f>',
      'JPEG masks: allowed fraction of ambiguous pixels',
      numberOption('--max-ambiguous-fraction', 0, 1),
    )
    .option('--empty-mask <severity>', 'warning or error', choiceOption('--empty-mask', ['warning', 'error'] as const))
    .option('--json', 'print the JSON report instead of markdown')
    .action(async (o: Record<string, string | number | boolean | undefined>) => {
      const progress = ctx.progress();
      const { report, paths, summary, failure } = await runQaStage(
        {
          root: String(o.dataDir),
          workspace: ctx.cwd,
          reportDir: String(o.reportDir),
          imagesDir: o.imagesDir as string | undefined,
          masksDir: o.masksDir as string | undefined,
          resolution: { minSide: o.minSide as number | undefined, maxSide: o.maxSide as number | undefined },
          maskTolerance: o.maskTolerance as number | undefined,
          maxAmbiguousFraction: o.maxAmbiguousFraction as number | undefined,
          emptyMask: o.emptyMask as 'warning' | 'error' | undefined,
          annotationBase: ctx.cwd,
        },
        { logger: ctx.logger, progress },
      );
      progress.stop();
      ctx.print(o.json ? JSON.stringify(report, null, 2) : summary);
      ctx.logger.info(`Reports: ${paths.json}, ${paths.markdown}`);
      if (failure) {
        ctx.logger.error(failure);
        process.exitCode = 1;
      }
    });
}
