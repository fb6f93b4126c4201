/**
 * The start-infra stage as the action, its post step, the CLI and tests run it. Three modes:
 * `ec2` starts the existing MLflow host (by id or tag) and waits for it; `terraform` applies a
 * Terraform root and reads its outputs; `url` only waits for an always-on server. Every mode ends
 * with MLflow's /health answering OK. Each fact is reported through `onKnown` the moment it is
 * known, so a run cancelled during a wait still tells stop-infra what to stop.
 */
import { resolve } from 'node:path';
import { formatNumber, mdHeading, mdTable, UserError, type Logger } from '@wms/core';
import {
  createEc2Client,
  createEc2HostControl,
  createSpawnRunner,
  formatDuration,
  HOST_OUTPUTS,
  hourlyPrice,
  parseTagFilter,
  requireStringOutput,
  resolveRegion,
  startHost,
  terraformApply,
  waitForMlflowHealth,
  type CommandRunner,
  type HostControl,
  type HostInfo,
  type HostRef,
  type MlflowAuth,
} from '@wms/infra';

export type InfraMode = 'ec2' | 'terraform' | 'url';

/** The facts start-infra reports (its action outputs, and the state its post step reads). */
export type InfraFact = 'mode' | 'mlflow-url' | 'instance-id' | 'instance-type' | 'started' | 'started-at';

export interface TerraformRootOptions {
  /** The Terraform root, relative to the workspace. */
  dir: string;
  vars?: Record<string, string>;
  backendConfig?: string[];
}

export interface Ec2Target {
  host: HostRef;
  region: string;
  /** A non-AWS EC2 endpoint (tests, LocalStack). */
  endpoint?: string;
}

/**
 * The EC2 host as the action inputs or CLI flags name it (instance id or `key=value` tag, region,
 * endpoint); `names` says how the caller spells them, for the errors.
 */
export function ec2TargetFrom(
  given: { instanceId?: string; tag?: string; region?: string; endpoint?: string },
  env: NodeJS.ProcessEnv,
  names: { tag: string; region: string },
): Ec2Target {
  return {
    host: {
      instanceId: given.instanceId || undefined,
      tag: given.tag ? parseTagFilter(given.tag, names.tag) : undefined,
    },
    region: resolveRegion(given.region, env, names.region),
    endpoint: given.endpoint || undefined,
  };
}

/** The same, from the start-infra / stop-infra action inputs (`instance-id`, `tag`, `region`, `endpoint`). */
export function ec2TargetFromInputs(
  inputs: { 'instance-id'?: string; tag?: string; region?: string; endpoint?: string },
  env: NodeJS.ProcessEnv,
): Ec2Target {
  const { 'instance-id': instanceId, tag, region, endpoint } = inputs;
  return ec2TargetFrom({ instanceId, tag, region, endpoint }, env, { tag: "Input 'tag'", region: 'region' });
}

export interface StartInfraStageOptions {
  mode: InfraMode;
  ec2?: Ec2Target;
  terraform?: TerraformRootOptions;
  /**
   * url mode: the server. ec2 mode: optional, may hold {public-dns}, {public-ip} or {private-ip};
   * empty means http://<public DNS or IP> (the host's nginx with basic auth on port 80).
   */
  mlflowUrl?: string;
  auth?: MlflowAuth;
  runningTimeoutMs: number;
  healthTimeoutMs: number;
  pollIntervalMs?: number;
  healthIntervalMs?: number;
  costPerHour?: number;
  workspace: string;
}

export interface StartInfraStageDeps {
  logger: Logger;
  /** Defaults to the SDK client for ec2.region / ec2.endpoint. */
  control?: HostControl;
  runner?: CommandRunner;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  fetchImpl?: typeof fetch;
  onKnown?: (fact: InfraFact, value: string) => void;
}

export interface StartInfraResult {
  mode: InfraMode;
  mlflowUrl: string;
  instanceId: string;
  instanceType: string;
  started: boolean;
  /** When the host's current run began: this run's start call, or EC2's LaunchTime for a host already up. */
  startedAt: string;
  usdPerHour: number | undefined;
  timings: { hostMs: number; healthMs: number; healthChecks: number };
  summary: string;
}

export function hostControlFor(target: Ec2Target, logger: Logger, sleep?: (ms: number) => Promise<void>): HostControl {
  return createEc2HostControl(createEc2Client({ region: target.region, endpoint: target.endpoint }), { logger, sleep });
}

/** The tracking URL of an EC2 host: the template with its addresses filled in. */
export function mlflowUrlForHost(host: HostInfo, template: string | undefined): string {
  const address = host.publicDnsName ?? host.publicIp ?? host.privateIp;
  const fill = template?.trim() || (address ? `http://${address}` : '');
  const missing: string[] = [];
  const url = fill.replace(/\{(public-dns|public-ip|private-ip)\}/g, (_, name: string) => {
    const value = { 'public-dns': host.publicDnsName, 'public-ip': host.publicIp, 'private-ip': host.privateIp }[name];
    if (!value) missing.push(name);
    return value ?? '';
  });
  if (!url || missing.length > 0) {
    throw new UserError(
      `Instance ${host.instanceId} is running but has no ${missing.join(', ') || 'address'} to reach MLflow at.`,
      {
        hint: 'Give the host a public IP (or Elastic IP) or set mlflow-url, e.g. http://{private-ip} on a self-hosted runner in the VPC.',
      },
    );
  }
  return url;
}

export async function runStartInfraStage(
  options: StartInfraStageOptions,
  deps: StartInfraStageDeps,
): Promise<StartInfraResult> {
  const now = deps.now ?? Date.now;
  const known = (fact: InfraFact, value: string): void => deps.onKnown?.(fact, value);
  const began = now();
  known('mode', options.mode);
  let mlflowUrl = options.mlflowUrl?.trim() ?? '';
  let instanceId = '';
  let instanceType = '';
  let started = false;
  let startedAt = new Date(began).toISOString();

  if (options.mode === 'ec2') {
    if (!options.ec2) throw new UserError('mode ec2 needs instance-id or tag, and region.');
    const control = deps.control ?? hostControlFor(options.ec2, deps.logger, deps.sleep);
    const result = await startHost(
      options.ec2.host,
      {
        stateTimeoutMs: options.runningTimeoutMs,
        pollIntervalMs: options.pollIntervalMs,
        onHostKnown: (host) => {
          known('instance-id', host.instanceId);
          if (host.instanceType) known('instance-type', host.instanceType);
          if (host.state === 'stopped' || host.state === 'stopping') {
            // Recorded before StartInstances is sent: a cancel right after it must still stop the host.
            known('started', 'true');
            known('started-at', new Date(now()).toISOString());
          } else {
            known('started', 'false');
          }
        },
      },
      { control, logger: deps.logger, sleep: deps.sleep, now },
    );
    ({ instanceId } = result.host);
    instanceType = result.host.instanceType ?? '';
    started = result.started;
    if (!started && result.host.launchTime) startedAt = result.host.launchTime.toISOString();
    mlflowUrl = mlflowUrlForHost(result.host, options.mlflowUrl);
  } else if (options.mode === 'terraform') {
    if (!options.terraform) throw new UserError('mode terraform needs terraform-dir.');
    const dir = resolve(options.workspace, options.terraform.dir);
    known('started', 'true');
    known('started-at', startedAt);
    const outputs = await terraformApply(
      deps.runner ?? createSpawnRunner(deps.logger),
      {
        dir,
        vars: options.terraform.vars,
        backendConfig: options.terraform.backendConfig,
        timeoutMs: options.runningTimeoutMs,
      },
      deps.logger,
    );
    started = true;
    instanceId = requireStringOutput(outputs, HOST_OUTPUTS.instanceId, dir);
    known('instance-id', instanceId);
    const type = outputs[HOST_OUTPUTS.instanceType];
    instanceType = typeof type === 'string' ? type : '';
    if (instanceType) known('instance-type', instanceType);
    mlflowUrl = mlflowUrl || requireStringOutput(outputs, HOST_OUTPUTS.mlflowUrl, dir);
  } else if (!mlflowUrl) {
    throw new UserError("mode url needs mlflow-url (the always-on MLflow server's address).");
  }
  known('mlflow-url', mlflowUrl);
  const hostMs = now() - began;

  const health = await waitForMlflowHealth({
    url: mlflowUrl,
    auth: options.auth,
    timeoutMs: options.healthTimeoutMs,
    intervalMs: options.healthIntervalMs,
    logger: deps.logger,
    sleep: deps.sleep,
    fetchImpl: deps.fetchImpl,
  });
  const usdPerHour = options.mode === 'url' ? options.costPerHour : hourlyPrice(instanceType, options.costPerHour);
  const result = {
    mode: options.mode,
    mlflowUrl,
    instanceId,
    instanceType,
    started,
    startedAt,
    usdPerHour,
    timings: { hostMs, healthMs: health.elapsedMs, healthChecks: health.attempts },
  };
  return { ...result, summary: renderStartSummary(result) };
}

function renderStartSummary(r: Omit<StartInfraResult, 'summary'>): string {
  const rows: Array<[string, string]> = [
    ['Mode', r.mode],
    ['MLflow', r.mlflowUrl],
  ];
  if (r.instanceId) {
    rows.push(['Instance', `${r.instanceId}${r.instanceType ? ` (${r.instanceType})` : ''}`]);
    rows.push([
      'Started by this run',
      r.started ? 'yes (stop-infra will stop it)' : 'no (already running; left as found)',
    ]);
    rows.push(['Host ready after', formatDuration(Math.round(r.timings.hostMs / 1000))]);
  }
  rows.push([
    '/health OK after',
    `${formatDuration(Math.round(r.timings.healthMs / 1000))} (${r.timings.healthChecks} checks)`,
  ]);
  if (r.usdPerHour !== undefined) rows.push(['Price', `$${formatNumber(r.usdPerHour)}/h`]);
  return `${mdHeading('Start infra: ✅ MLflow is ready')}\n\n${mdTable(['', ''], rows)}`;
}
