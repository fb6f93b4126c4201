import type { Command } from 'commander';
import { BACKEND_PREFERENCES, type BackendPreference } from '@wms/model';
import { runDemo, runLocalPipeline } from '@wms/pipeline';
import {
  addRegistryOptions,
  choiceOption,
  integerOption,
  registryOptionsFromFlags,
  type CliContext,
  type RegistryFlags,
} from '../cli-options';

export function registerPipelineCommands(program: Command, ctx: CliContext): void {
  addRegistryOptions(
    program
      .command('pipeline')
      .description('data-qa → train → quality gate → promote, on one dataset, as the workflows run it.')
      .option('--data-dir <dir>', 'dataset root', 'WMS/data/training')
      .option('--config <file>', 'training config')
      .option(
        '--backend <name>',
        BACKEND_PREFERENCES.join(', '),
        choiceOption('--backend', BACKEND_PREFERENCES),
        'auto',
      )
      .option('--time-budget <sec>', 'training budget', integerOption('--time-budget', 1, 7 * 24 * 3600))
      .option('--model-name <name>', 'registered model name', 'water-meter'),
  ).action(
    async (
      o: RegistryFlags & {
        dataDir: string;
        config?: string;
        backend: BackendPreference;
        timeBudget?: number;
        modelName: string;
      },
    ) => {
      const result = await runLocalPipeline(
        {
          workspace: ctx.cwd,
          dataDir: o.dataDir,
          config: o.config,
          backend: o.backend,
          timeBudgetSec: o.timeBudget,
          model: o.modelName,
          registry: registryOptionsFromFlags(o, ctx.env),
          runName: new Date().toISOString().replace(/[:.]/g, '-'),
          env: ctx.env,
        },
        { logger: ctx.logger, progress: ctx.progress },
      );
      for (const block of result.summaries) ctx.print(block);
      if (result.stoppedBecause) {
        ctx.logger.error(result.stoppedBecause);
        process.exitCode = 1;
      }
    },
  );

  program
    .command('demo')
    .description('Sample data, then two pipeline runs: the first model is promoted, a weaker second one is rejected.')
    .option('--workdir <dir>', 'folder for data, runs and the local registry', '.wms-demo')
    .option('--count <n>', 'sample pairs to generate', integerOption('--count', 10, 100_000), 160)
    .option('--width <px>', 'sample image width', integerOption('--width', 64, 8192), 512)
    .option('--height <px>', 'sample image height', integerOption('--height', 64, 8192), 384)
    .option('--seed <n>', 'sample data seed', integerOption('--seed', 0), 1)
    .option('--backend <name>', BACKEND_PREFERENCES.join(', '), choiceOption('--backend', BACKEND_PREFERENCES), 'auto')
    .option(
      '--time-budget <sec>',
      'training budget of the first run',
      integerOption('--time-budget', 1, 24 * 3600),
      240,
    )
    .action(
      async (o: {
        workdir: string;
        count: number;
        width: number;
        height: number;
        seed: number;
        backend: BackendPreference;
        timeBudget: number;
      }) => {
        const result = await runDemo(
          { ...o, workdir: o.workdir, timeBudgetSec: o.timeBudget, model: 'water-meter', env: ctx.env },
          { logger: ctx.logger, progress: ctx.progress },
        );
        for (const block of [...result.first.summaries, ...result.second.summaries]) ctx.print(block);
        ctx.print(result.summary);
        const ok = Boolean(result.first.promotion) && !result.second.promotion;
        if (!ok) {
          ctx.logger.error('The demo expected run 1 to be promoted and run 2 to be rejected; see the summaries above.');
          process.exitCode = 1;
        }
      },
    );
}
