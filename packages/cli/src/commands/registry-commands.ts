import type { Command } from 'commander';
import { formatNumber, mdHeading, mdTable } from '@wms/core';
import { renderGateSummary, type RegistryBackend } from '@wms/registry';
import { openRegistry, registryNotice, runGateStage, runPromoteStage } from '@wms/pipeline';
import {
  addRegistryOptions,
  integerOption,
  numberOption,
  registryOptionsFromFlags,
  type CliContext,
  type RegistryFlags,
} from '../cli-options';

interface GateFlags extends RegistryFlags {
  candidate: string;
  config?: string;
  dataDir: string;
  modelName: string;
  minDiceDelta: number;
  minIouDelta: number;
  requireSignificance?: boolean;
  confidence: number;
  seed: number;
}

function addGateOptions(command: Command): Command {
  return addRegistryOptions(
    command
      .requiredOption('--candidate <dir>', 'the candidate model folder (a train run’s model/)')
      .option('--data-dir <dir>', 'the dataset the candidate was trained on', '.')
      .option(
        '--config <file>',
        'training config with baseline.min_dice / min_iou floors (default: WMS/configs/train.yaml)',
      )
      .option('--model-name <name>', 'registered model name', 'water-meter'),
  )
    .option('--min-dice-delta <d>', 'smallest Dice gain that counts', numberOption('--min-dice-delta', 0, 1), 0)
    .option('--min-iou-delta <d>', 'smallest IoU gain that counts', numberOption('--min-iou-delta', 0, 1), 0)
    .option('--require-significance', 'also require a paired bootstrap to show the Dice gain is not noise')
    .option('--confidence <c>', 'bootstrap confidence level', numberOption('--confidence', 0.5, 0.9999), 0.95)
    .option('--seed <n>', 'bootstrap seed', integerOption('--seed', 0), 1);
}

function open(flags: RegistryFlags, ctx: CliContext): RegistryBackend {
  return openRegistry(registryOptionsFromFlags(flags, ctx.env), {
    workspace: ctx.cwd,
    env: ctx.env,
    logger: ctx.logger,
  });
}

async function gate(o: GateFlags, ctx: CliContext) {
  const backend = open(o, ctx);
  const result = await runGateStage(
    {
      model: o.modelName,
      candidateModelDir: o.candidate,
      datasetDir: o.dataDir,
      workspace: ctx.cwd,
      config: o.config,
      policy: {
        minDiceDelta: o.minDiceDelta,
        minIouDelta: o.minIouDelta,
        requireSignificance: Boolean(o.requireSignificance),
        confidence: o.confidence,
        seed: o.seed,
      },
    },
    { registry: backend.registry, logger: ctx.logger, progress: ctx.progress, notice: registryNotice(backend) },
  );
  ctx.print(renderGateSummary(result));
  return { backend, result };
}

export function registerRegistryCommands(program: Command, ctx: CliContext): void {
  addGateOptions(program.command('gate'))
    .description('Compare a candidate with the champion on the same held-out pairs (exit 1 when not better).')
    .action(async (o: GateFlags) => {
      const { result } = await gate(o, ctx);
      if (!result.improved) process.exitCode = 1;
    });

  addGateOptions(program.command('promote'))
    .description('Run the gate and, when the candidate is better, register it and make it the champion.')
    .option('--metadata-dir <dir>', 'where model-metadata.json and model-history.jsonl go', '.')
    .action(async (o: GateFlags & { metadataDir: string }) => {
      const { backend, result } = await gate(o, ctx);
      if (!result.improved) {
        ctx.logger.error(`Not promoted: ${result.reason}`);
        process.exitCode = 1;
        return;
      }
      const promotion = await runPromoteStage(
        {
          model: o.modelName,
          candidateModelDir: o.candidate,
          workspace: ctx.cwd,
          expectedChampionVersion: result.championVersion,
          candidate: result.candidate,
          baseline: result.baseline,
          reason: result.reason,
          metadataDir: o.metadataDir,
        },
        { backend, logger: ctx.logger },
      );
      ctx.print(promotion.summary);
    });

  addRegistryOptions(
    program
      .command('models')
      .description('List the registered versions of a model, newest first, and which one is the champion.')
      .option('--model-name <name>', 'registered model name', 'water-meter'),
  ).action(async (o: RegistryFlags & { modelName: string }) => {
    const backend = open(o, ctx);
    const versions = await backend.registry.history(o.modelName);
    if (versions.length === 0) {
      ctx.print(`No versions of '${o.modelName}' in ${backend.location} yet.`);
      return;
    }
    ctx.print(
      [
        mdHeading(`${o.modelName} in ${backend.location}`),
        mdTable(
          ['version', 'status', 'Dice', 'IoU', 'run', 'created'],
          [...versions]
            .reverse()
            .map((v) => [
              v.version,
              v.status,
              formatNumber(v.metrics?.dice),
              formatNumber(v.metrics?.iou),
              v.runId ?? '',
              v.createdAt,
            ]),
          ['r', 'l', 'r', 'r', 'l', 'l'],
        ),
      ].join('\n'),
    );
  });
}
