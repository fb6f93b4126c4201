/**
 * The stop-infra stage: stops the MLflow host this pipeline started (or destroys the Terraform
 * root in terraform mode), idempotently — a host already stopped or gone is success — and reports
 * how long it ran in this pipeline and what that cost. A host this run did not start, or one kept
 * on purpose, is left running with a warning that says what it costs per hour.
 */
import { resolve } from 'node:path';
import { formatNumber, mdHeading, mdTable, UserError, type Logger } from '@wms/core';
import {
  createSpawnRunner,
  findHost,
  formatDuration,
  formatUsd,
  hourlyPrice,
  runCost,
  stopHost,
  terraformDestroy,
  type CommandRunner,
  type HostControl,
  type HostInfo,
} from '@wms/infra';
import { hostControlFor, type Ec2Target, type InfraMode, type TerraformRootOptions } from './start-infra-stage';

export interface StopInfraStageOptions {
  mode: InfraMode;
  ec2?: Ec2Target;
  terraform?: TerraformRootOptions;
  /** start-infra's `started`: false means someone else started the host, so it is left running. */
  started?: boolean;
  /** Leave the host running on purpose (debugging, a follow-up job). */
  keepRunning?: boolean;
  /** start-infra's `started-at`; default: the host's LaunchTime (its last start). */
  startedAt?: Date;
  costPerHour?: number;
  stoppedTimeoutMs: number;
  pollIntervalMs?: number;
  /** Return once StopInstances is accepted instead of waiting for `stopped`. */
  wait?: boolean;
  workspace: string;
}

export interface StopInfraStageDeps {
  logger: Logger;
  control?: HostControl;
  runner?: CommandRunner;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export type StopInfraOutcome =
  'stopped' | 'already-stopped' | 'gone' | 'left-running' | 'destroyed' | 'nothing-to-stop';

export interface StopInfraResult {
  outcome: StopInfraOutcome;
  instanceId: string;
  instanceType: string;
  runSeconds: number | undefined;
  usd: number | undefined;
  usdPerHour: number | undefined;
  summary: string;
}

export async function runStopInfraStage(
  options: StopInfraStageOptions,
  deps: StopInfraStageDeps,
): Promise<StopInfraResult> {
  const now = deps.now ?? Date.now;
  let outcome: StopInfraOutcome;
  let host: HostInfo | undefined;
  const leave = options.keepRunning === true || options.started === false;

  if (options.mode === 'url') {
    outcome = 'nothing-to-stop';
    deps.logger.info('mode url: the MLflow server is always on; nothing to stop.');
  } else if (options.mode === 'terraform') {
    if (!options.terraform) throw new UserError('mode terraform needs terraform-dir.');
    if (leave) {
      outcome = 'left-running';
    } else {
      await terraformDestroy(
        deps.runner ?? createSpawnRunner(deps.logger),
        {
          dir: resolve(options.workspace, options.terraform.dir),
          vars: options.terraform.vars,
          backendConfig: options.terraform.backendConfig,
          timeoutMs: options.stoppedTimeoutMs,
        },
        deps.logger,
      );
      outcome = 'destroyed';
    }
  } else {
    if (!options.ec2) throw new UserError('mode ec2 needs instance-id or tag, and region.');
    const control = deps.control ?? hostControlFor(options.ec2, deps.logger, deps.sleep);
    const lifecycle = { control, logger: deps.logger, sleep: deps.sleep, now };
    if (leave) {
      host = await findHost(control, options.ec2.host);
      outcome = host && (host.state === 'running' || host.state === 'pending') ? 'left-running' : 'already-stopped';
    } else {
      const stopped = await stopHost(
        options.ec2.host,
        { stateTimeoutMs: options.stoppedTimeoutMs, pollIntervalMs: options.pollIntervalMs, wait: options.wait },
        lifecycle,
      );
      host = stopped.host;
      outcome = stopped.outcome;
    }
  }

  const instanceId = host?.instanceId ?? options.ec2?.host.instanceId ?? '';
  const instanceType = host?.instanceType ?? '';
  const usdPerHour = hourlyPrice(instanceType, options.costPerHour);
  const since =
    options.startedAt ?? (outcome === 'stopped' || outcome === 'left-running' ? host?.launchTime : undefined);
  const cost = since ? runCost(since, new Date(now()), usdPerHour) : undefined;
  if (outcome === 'left-running') {
    const why = options.keepRunning ? 'keep-running is set' : 'this run did not start it';
    const price =
      usdPerHour === undefined
        ? 'an unknown price per hour'
        : `$${formatNumber(usdPerHour)}/h (≈ $${(usdPerHour * 24 * 30).toFixed(0)}/month)`;
    deps.logger.warning(
      `Leaving ${instanceId || 'the Terraform host'} running (${why}); it costs ${price} until stopped. It stops itself after its idle timeout, and the EC2 reaper workflow stops it after the maximum lifetime.`,
    );
  }
  const result = { outcome, instanceId, instanceType, runSeconds: cost?.runSeconds, usd: cost?.usd, usdPerHour };
  return { ...result, summary: renderStopSummary(options.mode, result) };
}

const HEADLINES: Record<StopInfraOutcome, string> = {
  stopped: '✅ host stopped',
  'already-stopped': '✅ host was already stopped',
  gone: '✅ host no longer exists',
  destroyed: '✅ Terraform host destroyed',
  'left-running': '⚠️ host left running',
  'nothing-to-stop': '✅ always-on server, nothing to stop',
};

function renderStopSummary(mode: InfraMode, r: Omit<StopInfraResult, 'summary'>): string {
  const rows: Array<[string, string]> = [['Mode', mode]];
  if (r.instanceId) rows.push(['Instance', `${r.instanceId}${r.instanceType ? ` (${r.instanceType})` : ''}`]);
  if (r.runSeconds !== undefined) {
    rows.push([r.outcome === 'left-running' ? 'Running for' : 'Ran in this pipeline', formatDuration(r.runSeconds)]);
    rows.push(['Cost of that time', formatUsd(r.usd)]);
  }
  if (r.usdPerHour !== undefined)
    rows.push(['Price', `$${formatNumber(r.usdPerHour)}/h (compute only; EBS is billed while stopped)`]);
  return `${mdHeading(`Stop infra: ${HEADLINES[r.outcome]}`)}\n\n${mdTable(['', ''], rows)}`;
}
