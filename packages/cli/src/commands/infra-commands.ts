/**
 * `wms infra start|stop|reap|prices`: the start-infra/stop-infra stages and the reaper from a
 * terminal or a scheduled workflow. MLflow credentials come from MLflow's own variables
 * (MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN), never from flags.
 */
import type { Command } from 'commander';
import { formatNumber, mdHeading, mdTable } from '@wms/core';
import {
  hourlyPrice,
  mlflowAuthFrom,
  ON_DEMAND_USD_PER_HOUR,
  parseStartedAt,
  parseTerraformVars,
  reapOverdueHosts,
  resolveRegion,
} from '@wms/infra';
import {
  ec2TargetFrom,
  hostControlFor,
  runStartInfraStage,
  runStopInfraStage,
  type Ec2Target,
  type InfraMode,
  type TerraformRootOptions,
} from '@wms/pipeline';
import { choiceOption, numberOption, type CliContext } from '../cli-options';

const MODES: readonly InfraMode[] = ['ec2', 'terraform', 'url'];

interface TargetFlags {
  mode: InfraMode;
  instanceId?: string;
  tag: string;
  region?: string;
  endpoint?: string;
  terraformDir: string;
  var: string[];
  backendConfig: string[];
  costPerHour?: number;
  pollInterval: number;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function addTargetOptions(command: Command): Command {
  return command
    .option('--mode <mode>', 'ec2, terraform or url', choiceOption('--mode', MODES), 'ec2')
    .option('--instance-id <id>', 'ec2: the MLflow host (default: the one instance with --tag)')
    .option('--tag <key=value>', 'ec2: tag the host must carry', 'wms-pipeline=mlflow')
    .option('--region <region>', 'AWS region (default: AWS_REGION / AWS_DEFAULT_REGION)')
    .option('--endpoint <url>', 'EC2 endpoint for a non-AWS EC2 API (LocalStack)')
    .option('--terraform-dir <dir>', 'terraform: the root', 'infra/ephemeral')
    .option('--var <name=value>', 'terraform: a variable (repeatable)', collect, [])
    .option('--backend-config <value>', 'terraform: -backend-config for init (repeatable)', collect, [])
    .option('--cost-per-hour <usd>', 'price of the host, for the cost report', numberOption('--cost-per-hour', 0, 1000))
    .option(
      '--poll-interval <s>',
      'seconds between the first state checks',
      numberOption('--poll-interval', 0.05, 60),
      5,
    );
}

function ec2Target(flags: TargetFlags, ctx: CliContext): Ec2Target | undefined {
  if (flags.mode !== 'ec2') return undefined;
  return ec2TargetFrom(flags, ctx.env, { tag: 'Option --tag', region: '--region' });
}

function terraformRoot(flags: TargetFlags): TerraformRootOptions | undefined {
  if (flags.mode !== 'terraform') return undefined;
  return { dir: flags.terraformDir, vars: parseTerraformVars(flags.var, '--var'), backendConfig: flags.backendConfig };
}

export function registerInfraCommands(program: Command, ctx: CliContext): void {
  const infra = program.command('infra').description('Start, stop and police the MLflow host (docs/runbook.md).');

  addTargetOptions(infra.command('start'))
    .description('Start the MLflow host (or terraform apply, or only wait for --mlflow-url) until /health is OK.')
    .option(
      '--mlflow-url <url>',
      'url mode: the server; ec2: address override ({public-dns}, {public-ip}, {private-ip})',
    )
    .option('--running-timeout <s>', 'seconds to wait for running', numberOption('--running-timeout', 10, 3600), 300)
    .option('--health-timeout <s>', 'seconds to wait for /health', numberOption('--health-timeout', 5, 3600), 300)
    .action(async (o: TargetFlags & { mlflowUrl?: string; runningTimeout: number; healthTimeout: number }) => {
      const result = await runStartInfraStage(
        {
          mode: o.mode,
          ec2: ec2Target(o, ctx),
          terraform: terraformRoot(o),
          mlflowUrl: o.mlflowUrl,
          auth: mlflowAuthFrom({
            username: ctx.env.MLFLOW_TRACKING_USERNAME,
            password: ctx.env.MLFLOW_TRACKING_PASSWORD,
            token: ctx.env.MLFLOW_TRACKING_TOKEN,
          }),
          runningTimeoutMs: o.runningTimeout * 1000,
          healthTimeoutMs: o.healthTimeout * 1000,
          pollIntervalMs: o.pollInterval * 1000,
          costPerHour: o.costPerHour,
          workspace: ctx.cwd,
        },
        { logger: ctx.logger },
      );
      ctx.print(result.summary);
    });

  addTargetOptions(infra.command('stop'))
    .description('Stop the MLflow host (or terraform destroy); already stopped or gone is success.')
    .option('--started-at <iso>', 'when the host started for this run (default: its last start)')
    .option('--keep-running', 'leave it running, printing what it costs per hour')
    .option('--stopped-timeout <s>', 'seconds to wait for stopped', numberOption('--stopped-timeout', 10, 3600), 300)
    .option('--no-wait', 'return once EC2 accepted the stop')
    .action(
      async (o: TargetFlags & { startedAt?: string; keepRunning?: boolean; stoppedTimeout: number; wait: boolean }) => {
        const result = await runStopInfraStage(
          {
            mode: o.mode,
            ec2: ec2Target(o, ctx),
            terraform: terraformRoot(o),
            keepRunning: Boolean(o.keepRunning),
            startedAt: parseStartedAt(o.startedAt, '--started-at'),
            costPerHour: o.costPerHour,
            stoppedTimeoutMs: o.stoppedTimeout * 1000,
            pollIntervalMs: o.pollInterval * 1000,
            wait: o.wait,
            workspace: ctx.cwd,
          },
          { logger: ctx.logger },
        );
        ctx.print(result.summary);
      },
    );

  infra
    .command('reap')
    .description(
      'Stop every running host with the tag that has run longer than --max-hours (the scheduled safety net).',
    )
    .option('--tag-key <key>', 'tag that marks the pipeline’s hosts', 'wms-pipeline')
    .option('--tag-value <value>', 'only hosts with this value of the tag (default: any value)')
    .option('--max-hours <h>', 'maximum time since the last start', numberOption('--max-hours', 0.1, 720), 6)
    .option('--region <region>', 'AWS region (default: AWS_REGION / AWS_DEFAULT_REGION)')
    .option('--endpoint <url>', 'EC2 endpoint for a non-AWS EC2 API (LocalStack)')
    .option('--dry-run', 'list what would be stopped without stopping it')
    .action(
      async (o: {
        tagKey: string;
        tagValue?: string;
        maxHours: number;
        region?: string;
        endpoint?: string;
        dryRun?: boolean;
      }) => {
        const target = { host: {}, region: resolveRegion(o.region, ctx.env, '--region'), endpoint: o.endpoint };
        const result = await reapOverdueHosts(
          {
            tagKey: o.tagKey,
            tagValue: o.tagValue,
            maxLifetimeMs: o.maxHours * 3600_000,
            dryRun: Boolean(o.dryRun),
            stateTimeoutMs: 600_000,
          },
          { control: hostControlFor(target, ctx.logger), logger: ctx.logger },
        );
        ctx.print(result.summary);
        if (result.hosts.some((h) => h.action === 'failed')) process.exitCode = 1;
      },
    );

  infra
    .command('prices')
    .description('The on-demand prices the cost reports use (USD per hour, us-east-1, Linux).')
    .action(() => {
      const rows = Object.keys(ON_DEMAND_USD_PER_HOUR).map((type) => {
        const hourly = hourlyPrice(type)!;
        return [type, `$${formatNumber(hourly)}`, `$${(hourly * 24 * 30).toFixed(2)}`];
      });
      ctx.print(
        `${mdHeading('EC2 on-demand prices')}\n\n${mdTable(['Type', 'Per hour', 'Per month (720 h)'], rows, ['l', 'r', 'r'])}`,
      );
    });
}
