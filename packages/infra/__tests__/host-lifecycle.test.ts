/**
 * startHost/stopHost through the real SDK client (commands stubbed by aws-sdk-client-mock) against
 * an EC2 state machine: pending → running, stopping → stopped, throttling and transient faults,
 * unknown ids, wrong tags, several hosts on one tag, and waits that run out.
 */
import { DescribeInstancesCommand, StartInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { createMemoryLogger, isUserError, type MemoryLogger } from '@wms/core';
import { createEc2HostControl, startHost, stopHost, WaitTimeoutError, type LifecycleDeps } from '../src';
import { FakeEc2Fleet } from './support/fake-ec2-fleet';
import { mockEc2WithFleet } from './support/sdk-mock';

const TAG = { key: 'wms-pipeline', value: 'mlflow' };
const WAIT = { stateTimeoutMs: 120_000, pollIntervalMs: 1000 };

let clock: number;
let logger: MemoryLogger;
let fleet: FakeEc2Fleet;
let setup: ReturnType<typeof mockEc2WithFleet>;
let deps: LifecycleDeps;

beforeEach(() => {
  clock = Date.parse('2026-03-01T10:00:00Z');
  logger = createMemoryLogger();
  fleet = new FakeEc2Fleet({ settleDescribes: 2, now: () => clock });
  setup = mockEc2WithFleet(fleet);
  const sleep = async (ms: number): Promise<void> => {
    clock += ms;
  };
  deps = { control: createEc2HostControl(setup.client, { logger, sleep }), logger, sleep, now: () => clock };
});
afterEach(() => setup.stub.restore());

describe('startHost', () => {
  it('starts a stopped host found by tag and waits through pending to running', async () => {
    fleet.add({ instanceId: 'i-0aaa', state: 'stopped' });
    const known: string[] = [];
    const result = await startHost(
      { tag: TAG },
      { ...WAIT, onHostKnown: (h) => known.push(`${h.instanceId}:${h.state}`) },
      deps,
    );
    expect(result.started).toBe(true);
    expect(result.host).toMatchObject({ instanceId: 'i-0aaa', state: 'running', instanceType: 't3.small' });
    expect(result.host.publicDnsName).toMatch(/compute-1\.amazonaws\.com$/);
    expect(result.host.launchTime?.getTime()).toBe(Date.parse('2026-03-01T10:00:00Z'));
    // The host was reported before StartInstances, while it was still stopped.
    expect(known).toEqual(['i-0aaa:stopped']);
    expect(setup.stub.commandCalls(StartInstancesCommand)).toHaveLength(1);
    expect(setup.stub.commandCalls(DescribeInstancesCommand)[0]!.args[0].input.Filters).toEqual([
      { Name: 'tag:wms-pipeline', Values: ['mlflow'] },
      { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
    ]);
    expect(logger.messages('info').some((m) => /i-0aaa: pending \(\d+ s\), waiting for running/.test(m))).toBe(true);
  });

  it('leaves a running host alone and says this run did not start it', async () => {
    fleet.add({ instanceId: 'i-0run', state: 'running' });
    const result = await startHost({ instanceId: 'i-0run', tag: TAG }, WAIT, deps);
    expect(result).toMatchObject({ started: false, host: { state: 'running' } });
    expect(setup.stub.commandCalls(StartInstancesCommand)).toHaveLength(0);
  });

  it('waits for a stopping host to stop before starting it again', async () => {
    fleet.add({ instanceId: 'i-0stp', state: 'stopping', settleAfter: 3 });
    const result = await startHost({ instanceId: 'i-0stp' }, WAIT, deps);
    expect(result).toMatchObject({ started: true, host: { state: 'running' } });
    const order = fleet.calls.map((c) => c.action);
    expect(order.indexOf('StartInstances')).toBeGreaterThan(3);
  });

  it('retries throttling (RequestLimitExceeded) and transient server errors with backoff', async () => {
    fleet.add({ instanceId: 'i-0thr', state: 'stopped' });
    fleet.failNext('DescribeInstances', 'RequestLimitExceeded', 2);
    fleet.failNext('StartInstances', 'Unavailable', 1);
    const before = clock;
    const result = await startHost({ instanceId: 'i-0thr' }, WAIT, deps);
    expect(result.started).toBe(true);
    expect(fleet.count('StartInstances')).toBe(2);
    const retries = logger.messages('info').filter((m) => /retrying in/.test(m));
    expect(retries).toEqual([
      expect.stringMatching(/^ec2:DescribeInstances: RequestLimitExceeded on attempt 1/),
      expect.stringMatching(/^ec2:DescribeInstances: RequestLimitExceeded on attempt 2/),
      expect.stringMatching(/^ec2:StartInstances: Unavailable on attempt 1/),
    ]);
    expect(clock - before).toBeGreaterThan(1000);
  });

  it('gives up on throttling that does not end, naming the call and the attempts', async () => {
    fleet.add({ instanceId: 'i-0thr', state: 'stopped' });
    fleet.failNext('DescribeInstances', 'RequestLimitExceeded', 50);
    await expect(startHost({ instanceId: 'i-0thr' }, WAIT, deps)).rejects.toThrow(
      /ec2:DescribeInstances: gave up after 6 attempts: RequestLimitExceeded/,
    );
  });

  it('reports an unknown instance id as a user error', async () => {
    const error = await startHost({ instanceId: 'i-0missing' }, WAIT, deps).catch((e: unknown) => e);
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toBe('No EC2 instance found for instance i-0missing.');
  });

  it('refuses an instance that does not carry the pipeline tag', async () => {
    fleet.add({ instanceId: 'i-0other', state: 'stopped', tags: { Name: 'someone-elses-db' } });
    const error = await startHost({ instanceId: 'i-0other', tag: TAG }, WAIT, deps).catch((e: unknown) => e);
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toContain('Instance i-0other has wms-pipeline=(no such tag), not "mlflow"');
    expect(fleet.count('StartInstances')).toBe(0);
  });

  it('refuses a tag that matches more than one host', async () => {
    fleet.add({ instanceId: 'i-0one', state: 'stopped' });
    fleet.add({ instanceId: 'i-0two', state: 'running' });
    await expect(startHost({ tag: TAG }, WAIT, deps)).rejects.toThrow(
      '2 instances are tagged wms-pipeline=mlflow (i-0one, i-0two); expected exactly one.',
    );
  });

  it('refuses a terminated host', async () => {
    fleet.add({ instanceId: 'i-0dead', state: 'terminated' });
    await expect(startHost({ instanceId: 'i-0dead' }, WAIT, deps)).rejects.toThrow(
      'Instance i-0dead is terminated; it cannot be started again.',
    );
  });

  it('times out when the host never reaches running, saying what it waited for', async () => {
    fleet.add({ instanceId: 'i-0slow', state: 'stopped' });
    fleet.start(['i-0slow']);
    fleet.instances.get('i-0slow')!.settleAfter = 10_000;
    const error = await startHost(
      { instanceId: 'i-0slow' },
      { stateTimeoutMs: 60_000, pollIntervalMs: 2000 },
      deps,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toMatch(
      /^Gave up waiting for instance i-0slow to be running after 6\d\.\d s \(\d+ checks; timeout 60 s\); last seen: pending\.$/,
    );
  });
});

describe('stopHost', () => {
  it('stops a running host and waits through stopping to stopped', async () => {
    fleet.add({ instanceId: 'i-0run', state: 'running' });
    const result = await stopHost({ instanceId: 'i-0run', tag: TAG }, WAIT, deps);
    expect(result.outcome).toBe('stopped');
    expect(fleet.instances.get('i-0run')!.state).toBe('stopped');
    expect(setup.stub.commandCalls(StopInstancesCommand)).toHaveLength(1);
  });

  it('treats an already stopped host as success without calling StopInstances', async () => {
    fleet.add({ instanceId: 'i-0off', state: 'stopped' });
    expect((await stopHost({ instanceId: 'i-0off' }, WAIT, deps)).outcome).toBe('already-stopped');
    expect(fleet.count('StopInstances')).toBe(0);
  });

  it('treats a host that no longer exists as success, with a warning', async () => {
    expect((await stopHost({ instanceId: 'i-0gone' }, WAIT, deps)).outcome).toBe('gone');
    expect(logger.messages('warning')).toEqual(['instance i-0gone does not exist; nothing to stop.']);
    fleet.add({ instanceId: 'i-0term', state: 'terminated' });
    expect((await stopHost({ instanceId: 'i-0term' }, WAIT, deps)).outcome).toBe('gone');
  });

  it('waits for a pending host to be running before stopping it (EC2 refuses to stop pending)', async () => {
    fleet.add({ instanceId: 'i-0pen', state: 'pending', settleAfter: 2 });
    const result = await stopHost({ instanceId: 'i-0pen' }, WAIT, deps);
    expect(result.outcome).toBe('stopped');
    expect(fleet.instances.get('i-0pen')!.state).toBe('stopped');
  });

  it('joins a stop already in progress', async () => {
    fleet.add({ instanceId: 'i-0ing', state: 'stopping', settleAfter: 1 });
    expect((await stopHost({ instanceId: 'i-0ing' }, WAIT, deps)).outcome).toBe('stopped');
    expect(fleet.count('StopInstances')).toBe(0);
  });

  it('never stops an instance with the wrong tag', async () => {
    fleet.add({ instanceId: 'i-0prod', state: 'running', tags: { 'wms-pipeline': 'prod-db' } });
    await expect(stopHost({ instanceId: 'i-0prod', tag: TAG }, WAIT, deps)).rejects.toThrow(
      'Instance i-0prod has wms-pipeline="prod-db", not "mlflow"',
    );
    expect(fleet.instances.get('i-0prod')!.state).toBe('running');
  });

  it('retries a throttled StopInstances and returns without waiting when asked', async () => {
    fleet.add({ instanceId: 'i-0run', state: 'running' });
    fleet.failNext('StopInstances', 'RequestLimitExceeded', 1);
    const result = await stopHost({ instanceId: 'i-0run' }, { ...WAIT, wait: false }, deps);
    expect(result.outcome).toBe('stopped');
    expect(fleet.instances.get('i-0run')!.state).toBe('stopping');
    expect(fleet.count('StopInstances')).toBe(2);
  });
});
