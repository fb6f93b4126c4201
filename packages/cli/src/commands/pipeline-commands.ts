import { resolve } from 'node:path';
import type { Command } from 'commander';
import { BACKEND_PREFERENCES, type BackendPreference } from '@wms/model';
import { localGitHubDryRun, renderStageTable, runDemo, runLocalPipeline } from '@wms/pipeline';
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
      .option('--data, --data-dir <dir>', 'dataset root (any images/ + masks/ folder)', 'WMS/data/training')
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
      const runName = new Date().toISOString().replace(/[:.]/g, '-');
      const result = await runLocalPipeline(
        {
          workspace: ctx.cwd,
          dataDir: o.dataDir,
          config: o.config,
          backend: o.backend,
          timeBudgetSec: o.timeBudget,
          model: o.modelName,
          registry: registryOptionsFromFlags(o, ctx.env),
          runName,
          // The GitHub-only stages print the requests they would send (nothing is sent).
          github: localGitHubDryRun(ctx.cwd, ctx.env, ctx.logger, `data/${runName}`),
          env: ctx.env,
        },
        { logger: ctx.logger, progress: ctx.progress },
      );
      for (const block of result.summaries) ctx.print(block);
      ctx.print(
        [
          '## Pipeline',
          '',
          renderStageTable(result.stages),
          '',
          ...result.outputs.map(([label, path]) => `- ${label}: \`${path}\``),
        ].join('\n'),
      );
      if (result.stoppedBecause) {
        ctx.logger.error(result.stoppedBecause);
        process.exitCode = 1;
      }
    },
  );

  program
    .command('demo')
    .description(
      'Sample data, run 1 (the first model is promoted), new pairs arrive, run 2 (the gate decides against the champion).',
    )
    .option('--workdir <dir>', 'folder for data, runs and the local registry', '.wms-demo')
    .option('--count <n>', 'sample pairs to generate', integerOption('--count', 10, 100_000), 120)
    .option(
      '--new <n>',
      'pairs that arrive before run 2 (default: a quarter of --count)',
      integerOption('--new', 1, 100_000),
    )
    .option('--width <px>', 'sample image width', integerOption('--width', 64, 8192), 384)
    .option('--height <px>', 'sample image height', integerOption('--height', 64, 8192), 288)
    .option('--seed <n>', 'sample data seed', integerOption('--seed', 0), 1)
    .option('--backend <name>', BACKEND_PREFERENCES.join(', '), choiceOption('--backend', BACKEND_PREFERENCES), 'auto')
    .option('--config <file>', "training config of both runs (default: the demo's small one)")
    .option('--time-budget <sec>', 'training budget of each run', integerOption('--time-budget', 1, 24 * 3600))
    .action(
      async (o: {
        workdir: string;
        count: number;
        new?: number;
        width: number;
        height: number;
        seed: number;
        backend: BackendPreference;
        config?: string;
        timeBudget?: number;
      }) => {
        const result = await runDemo(
          {
            workdir: o.workdir,
            count: o.count,
            newCount: o.new,
            width: o.width,
            height: o.height,
            seed: o.seed,
            backend: o.backend,
            config: o.config ? resolve(ctx.cwd, o.config) : undefined,
            timeBudgetSec: o.timeBudget,
            model: 'water-meter',
            env: ctx.env,
          },
          { logger: ctx.logger, progress: ctx.progress },
        );
        for (const block of [...result.first.summaries, ...result.second.summaries]) ctx.print(block);
        ctx.print(result.summary);
        // Run 2 may keep or replace the champion (that is the gate's call); it must reach the gate.
        if (!result.first.promotion || !result.second.gate) {
          ctx.logger.error(
            'The demo expected run 1 to promote the first model and run 2 to reach the quality gate; see the summaries above.',
          );
          process.exitCode = 1;
        }
      },
    );
}
