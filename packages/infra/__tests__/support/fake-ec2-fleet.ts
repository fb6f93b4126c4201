/**
 * An EC2 account in memory with the instance lifecycle of the EC2 API reference:
 * StartInstances moves stopped → pending → running, StopInstances running → stopping → stopped,
 * each transition completing after a set number of DescribeInstances calls; StartInstances on a
 * stopping/terminated instance and StopInstances on a pending/terminated one fail with
 * IncorrectInstanceState; unknown ids fail with InvalidInstanceID.NotFound; injected faults
 * (RequestLimitExceeded, InternalError, Unavailable) fail the next calls of an action.
 * Used behind aws-sdk-client-mock and behind the EC2 Query API server of ec2-query-server.ts.
 */
import type { InstanceStateName } from '../../src/host-control';

export const STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface FakeInstance {
  instanceId: string;
  state: InstanceStateName;
  instanceType: string;
  tags: Record<string, string>;
  launchTime: Date;
  publicDnsName?: string;
  publicIp?: string;
  privateIp: string;
  /** DescribeInstances calls left before a transient state (pending, stopping) completes. */
  settleAfter: number;
}

export class FakeEc2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = code;
  }
}

export type Ec2Action = 'DescribeInstances' | 'StartInstances' | 'StopInstances';

export interface FleetCall {
  action: Ec2Action;
  instanceIds: string[];
  filters: Array<{ name: string; values: string[] }>;
}

export class FakeEc2Fleet {
  readonly instances = new Map<string, FakeInstance>();
  readonly calls: FleetCall[] = [];
  private readonly faults: Record<Ec2Action, Array<{ code: string; status: number }>> = {
    DescribeInstances: [],
    StartInstances: [],
    StopInstances: [],
  };

  constructor(private readonly options: { settleDescribes?: number; now?: () => number; publicDns?: boolean } = {}) {}

  add(instance: Partial<FakeInstance> & { instanceId: string }): FakeInstance {
    const n = this.instances.size + 10;
    const full: FakeInstance = {
      state: 'stopped',
      instanceType: 't3.small',
      tags: { 'wms-pipeline': 'mlflow', Name: 'wms-mlflow' },
      launchTime: new Date('2026-01-01T00:00:00Z'),
      privateIp: `10.0.1.${n}`,
      settleAfter: 0,
      ...instance,
    };
    this.instances.set(full.instanceId, full);
    if (full.state === 'running') this.assignAddress(full);
    return full;
  }

  /** The next `count` calls of `action` fail with `code`: HTTP 503 for throttling, 500 for server faults, else 400. */
  failNext(action: Ec2Action, code: string, count = 1): void {
    const server = ['InternalError', 'InternalFailure', 'ServiceUnavailable', 'Unavailable'];
    const status = code === 'RequestLimitExceeded' ? 503 : server.includes(code) ? 500 : 400;
    for (let i = 0; i < count; i++) this.faults[action].push({ code, status });
  }

  private now(): Date {
    return new Date(this.options.now ? this.options.now() : Date.now());
  }

  private assignAddress(i: FakeInstance): void {
    const n = i.privateIp.split('.').pop();
    i.publicIp = `203.0.113.${n}`;
    if (this.options.publicDns !== false) i.publicDnsName = `ec2-203-0-113-${n}.compute-1.amazonaws.com`;
  }

  private takeFault(action: Ec2Action): void {
    const fault = this.faults[action].shift();
    if (fault) throw new FakeEc2Error(fault.code, `${fault.code} (injected fault)`, fault.status);
  }

  private lookup(ids: string[]): FakeInstance[] {
    const missing = ids.filter((id) => !this.instances.has(id));
    if (missing.length > 0) {
      throw new FakeEc2Error(
        'InvalidInstanceID.NotFound',
        `The instance ID${missing.length > 1 ? 's' : ''} '${missing.join(', ')}' do${missing.length > 1 ? '' : 'es'} not exist`,
        400,
      );
    }
    return ids.map((id) => this.instances.get(id)!);
  }

  private settle(i: FakeInstance): void {
    if (i.state !== 'pending' && i.state !== 'stopping' && i.state !== 'shutting-down') return;
    if (i.settleAfter > 0) {
      i.settleAfter--;
      return;
    }
    if (i.state === 'pending') {
      i.state = 'running';
    } else if (i.state === 'stopping') {
      i.state = 'stopped';
      i.publicIp = undefined;
      i.publicDnsName = undefined;
    } else {
      i.state = 'terminated';
    }
  }

  describe(instanceIds: string[], filters: Array<{ name: string; values: string[] }>): FakeInstance[] {
    this.calls.push({ action: 'DescribeInstances', instanceIds, filters });
    this.takeFault('DescribeInstances');
    const candidates = instanceIds.length > 0 ? this.lookup(instanceIds) : [...this.instances.values()];
    for (const i of candidates) this.settle(i);
    return candidates.filter((i) =>
      filters.every((f) => {
        if (f.name === 'instance-state-name') return f.values.includes(i.state);
        if (f.name === 'tag-key') return f.values.some((k) => k in i.tags);
        if (f.name.startsWith('tag:')) return f.values.includes(i.tags[f.name.slice(4)] ?? '\u0000');
        if (f.name === 'instance-id') return f.values.includes(i.instanceId);
        throw new FakeEc2Error('InvalidParameterValue', `The filter '${f.name}' is invalid`, 400);
      }),
    );
  }

  start(instanceIds: string[]): Array<{ id: string; previous: InstanceStateName; current: InstanceStateName }> {
    this.calls.push({ action: 'StartInstances', instanceIds, filters: [] });
    this.takeFault('StartInstances');
    return this.lookup(instanceIds).map((i) => {
      const previous = i.state;
      if (i.state === 'stopping' || i.state === 'terminated' || i.state === 'shutting-down') {
        throw new FakeEc2Error(
          'IncorrectInstanceState',
          `The instance '${i.instanceId}' is not in a state from which it can be started.`,
          400,
        );
      }
      if (i.state === 'stopped') {
        i.state = 'pending';
        i.settleAfter = this.options.settleDescribes ?? 2;
        i.launchTime = this.now();
        this.assignAddress(i);
      }
      return { id: i.instanceId, previous, current: i.state };
    });
  }

  stop(instanceIds: string[]): Array<{ id: string; previous: InstanceStateName; current: InstanceStateName }> {
    this.calls.push({ action: 'StopInstances', instanceIds, filters: [] });
    this.takeFault('StopInstances');
    return this.lookup(instanceIds).map((i) => {
      const previous = i.state;
      if (i.state === 'pending' || i.state === 'terminated' || i.state === 'shutting-down') {
        throw new FakeEc2Error(
          'IncorrectInstanceState',
          `This instance '${i.instanceId}' is not in a state from which it can be stopped.`,
          400,
        );
      }
      if (i.state === 'running') {
        i.state = 'stopping';
        i.settleAfter = this.options.settleDescribes ?? 2;
      }
      return { id: i.instanceId, previous, current: i.state };
    });
  }

  count(action: Ec2Action): number {
    return this.calls.filter((c) => c.action === action).length;
  }
}
