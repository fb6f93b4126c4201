/**
 * Start and stop of the MLflow host through a HostControl, following EC2's lifecycle:
 * stopped → pending → running → stopping → stopped, with shutting-down → terminated on the side.
 * Start only starts what is stopped (and reports whether this run did it); stop is idempotent and
 * treats a host that no longer exists as success.
 */
import { UserError, type Logger } from '@wms/core';
import { isIncorrectInstanceState, isInstanceNotFound } from './ec2-errors';
import { describeHostRef, type HostControl, type HostInfo, type HostRef, type InstanceStateName } from './host-control';
import { waitUntil } from './wait';

export interface LifecycleDeps {
  control: HostControl;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface StateWaitOptions {
  /** Limit of one wait for a state (running, stopped). */
  stateTimeoutMs: number;
  /** First delay between DescribeInstances calls; backs off to 4x. */
  pollIntervalMs?: number;
}

const LIVE_STATES: InstanceStateName[] = ['pending', 'running', 'stopping', 'stopped'];

function checkTag(host: HostInfo, ref: HostRef): void {
  if (!ref.tag) return;
  const actual = host.tags[ref.tag.key];
  if (actual !== ref.tag.value) {
    throw new UserError(
      `Instance ${host.instanceId} has ${ref.tag.key}=${actual === undefined ? '(no such tag)' : JSON.stringify(actual)}, not ${JSON.stringify(ref.tag.value)}; refusing to start or stop a host that is not the pipeline's.`,
      { hint: 'Check the instance-id and tag inputs: they must name the same MLflow host.' },
    );
  }
}

/** The host the ref names, or undefined when EC2 does not know it (or it is terminated, when searched by tag). */
export async function findHost(control: HostControl, ref: HostRef): Promise<HostInfo | undefined> {
  if (ref.instanceId) {
    const [host] = await control.describe({ instanceIds: [ref.instanceId] });
    if (host) checkTag(host, ref);
    return host;
  }
  if (!ref.tag) throw new UserError('Neither instance-id nor tag is set; one of them must name the MLflow host.');
  const hosts = await control.describe({ tags: { [ref.tag.key]: ref.tag.value }, states: LIVE_STATES });
  if (hosts.length > 1) {
    throw new UserError(
      `${hosts.length} instances are tagged ${ref.tag.key}=${ref.tag.value} (${hosts.map((h) => h.instanceId).join(', ')}); expected exactly one.`,
      { hint: 'Pass instance-id, or give the MLflow host a unique tag value.' },
    );
  }
  return hosts[0];
}

async function waitForState(
  deps: LifecycleDeps,
  instanceId: string,
  target: InstanceStateName | readonly InstanceStateName[],
  options: StateWaitOptions,
): Promise<HostInfo | undefined> {
  const targets: readonly InstanceStateName[] = typeof target === 'string' ? [target] : target;
  const wanted = targets.join(' or ');
  const interval = options.pollIntervalMs ?? 5000;
  const outcome = await waitUntil<HostInfo | undefined>(
    async () => {
      const [host] = await deps.control.describe({ instanceIds: [instanceId] });
      if (!host) return { done: true, value: undefined };
      if (targets.includes(host.state)) return { done: true, value: host };
      if (host.state === 'terminated' || host.state === 'shutting-down') {
        return { done: true, value: host };
      }
      return { done: false, status: host.state };
    },
    {
      label: `instance ${instanceId} to be ${wanted}`,
      timeoutMs: options.stateTimeoutMs,
      intervalMs: interval,
      maxIntervalMs: interval * 4,
      sleep: deps.sleep,
      now: deps.now,
      hint: 'Look at the instance in the EC2 console (state reason, status checks); docs/runbook.md.',
      onPoll: ({ status, elapsedMs }) =>
        deps.logger.info(`${instanceId}: ${status} (${Math.round(elapsedMs / 1000)} s), waiting for ${wanted}`),
    },
  );
  return outcome.value;
}

export interface StartHostResult {
  host: HostInfo;
  /** True when this call started a stopped host (so stopping it later is this run's job). */
  started: boolean;
}

export async function startHost(
  ref: HostRef,
  options: StateWaitOptions & { onHostKnown?: (host: HostInfo) => void },
  deps: LifecycleDeps,
): Promise<StartHostResult> {
  const host = await findHost(deps.control, ref);
  if (!host) {
    throw new UserError(`No EC2 instance found for ${describeHostRef(ref)}.`, {
      hint: 'Create the host with the Terraform in infra/ (see infra/README.md), or fix instance-id / tag.',
    });
  }
  const id = host.instanceId;
  if (host.state === 'terminated' || host.state === 'shutting-down') {
    throw new UserError(`Instance ${id} is ${host.state}; it cannot be started again.`, {
      hint: 'Re-create the host with `terraform apply` in infra/; MLflow state lives on the data volume and in S3.',
    });
  }
  let started = false;
  let state: InstanceStateName = host.state;
  options.onHostKnown?.(host);
  if (state === 'stopping') {
    deps.logger.info(`${id} is stopping; waiting for it to stop before starting it again.`);
    state = (await waitForState(deps, id, 'stopped', options))?.state ?? 'terminated';
  }
  if (state === 'stopped') {
    deps.logger.info(`Starting ${id} (${host.instanceType ?? 'unknown type'}).`);
    try {
      await deps.control.start(id);
    } catch (error) {
      if (!isIncorrectInstanceState(error)) throw error;
      // Someone else is stopping it right now: let it stop, then start it.
      await waitForState(deps, id, 'stopped', options);
      await deps.control.start(id);
    }
    started = true;
  } else if (state === 'running' || state === 'pending') {
    deps.logger.info(`${id} is already ${state}; this run did not start it and will not stop it.`);
  }
  const running = await waitForState(deps, id, 'running', options);
  if (!running || running.state !== 'running') {
    throw new UserError(`Instance ${id} became ${running?.state ?? 'unknown to EC2'} while starting.`, {
      hint: 'Look at the state reason in the EC2 console.',
    });
  }
  return { host: running, started };
}

export type StopOutcome = 'stopped' | 'already-stopped' | 'gone';

export interface StopHostResult {
  outcome: StopOutcome;
  /** The host as found before stopping (undefined when gone). */
  host?: HostInfo;
}

export async function stopHost(
  ref: HostRef,
  options: StateWaitOptions & { wait?: boolean },
  deps: LifecycleDeps,
): Promise<StopHostResult> {
  const host = await findHost(deps.control, ref);
  if (!host || host.state === 'terminated' || host.state === 'shutting-down') {
    deps.logger.warning(`${describeHostRef(ref)} ${host ? `is ${host.state}` : 'does not exist'}; nothing to stop.`);
    return { outcome: 'gone', host };
  }
  const id = host.instanceId;
  if (host.state === 'stopped') {
    deps.logger.info(`${id} is already stopped.`);
    return { outcome: 'already-stopped', host };
  }
  if (host.state !== 'stopping') {
    const requested = await requestStop(host, options, deps);
    if (requested !== 'requested') return { outcome: requested, host };
  }
  if (options.wait === false) return { outcome: 'stopped', host };
  const stopped = await waitForState(deps, id, 'stopped', options);
  return { outcome: stopped && stopped.state === 'stopped' ? 'stopped' : 'gone', host };
}

/** StopInstances, after letting a pending host reach running (a pending instance cannot be stopped). */
async function requestStop(
  host: HostInfo,
  options: StateWaitOptions,
  deps: LifecycleDeps,
): Promise<'requested' | 'already-stopped' | 'gone'> {
  const id = host.instanceId;
  for (let attempt = 1; ; attempt++) {
    const current =
      attempt === 1 && host.state === 'running'
        ? host
        : await waitForState(deps, id, ['running', 'stopping', 'stopped'], options);
    if (!current || current.state === 'terminated' || current.state === 'shutting-down') return 'gone';
    if (current.state === 'stopped') return 'already-stopped';
    if (current.state === 'stopping') return 'requested';
    try {
      deps.logger.info(`Stopping ${id}.`);
      await deps.control.stop(id);
      return 'requested';
    } catch (error) {
      if (isInstanceNotFound(error)) return 'gone';
      if (!isIncorrectInstanceState(error) || attempt >= 3) throw error;
      deps.logger.info(`${id} cannot be stopped in its current state; checking again.`);
    }
  }
}
