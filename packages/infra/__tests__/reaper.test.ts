/** The scheduled reaper over the EC2 state machine (SDK commands stubbed by aws-sdk-client-mock). */
import { createMemoryLogger } from '@wms/core';
import { createEc2HostControl, reapOverdueHosts } from '../src';
import { FakeEc2Fleet } from './support/fake-ec2-fleet';
import { mockEc2WithFleet } from './support/sdk-mock';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW - h * 3600_000);

function setup() {
  const fleet = new FakeEc2Fleet({ settleDescribes: 1, now: () => NOW });
  const { client, stub } = mockEc2WithFleet(fleet);
  const logger = createMemoryLogger();
  const sleep = async () => undefined;
  const control = createEc2HostControl(client, { logger, sleep });
  return { fleet, stub, logger, deps: { control, logger, sleep, now: () => NOW } };
}

it('stops tagged hosts running longer than the limit and leaves the others alone', async () => {
  const { fleet, stub, logger, deps } = setup();
  fleet.add({ instanceId: 'i-0old', state: 'running', launchTime: hoursAgo(9), instanceType: 't3.small' });
  fleet.add({ instanceId: 'i-0new', state: 'running', launchTime: hoursAgo(1) });
  fleet.add({ instanceId: 'i-0off', state: 'stopped', launchTime: hoursAgo(30) });
  fleet.add({ instanceId: 'i-0untagged', state: 'running', launchTime: hoursAgo(50), tags: { Name: 'other-team' } });
  const result = await reapOverdueHosts(
    { tagKey: 'wms-pipeline', maxLifetimeMs: 6 * 3600_000, stateTimeoutMs: 60_000, pollIntervalMs: 10 },
    deps,
  );
  expect(result.checked).toBe(2);
  expect(result.hosts.map((h) => [h.host.instanceId, h.action, h.upSeconds])).toEqual([
    ['i-0old', 'stopped', 9 * 3600],
    ['i-0new', 'kept', 3600],
  ]);
  expect(fleet.instances.get('i-0old')!.state).toBe('stopped');
  expect(fleet.instances.get('i-0untagged')!.state).toBe('running');
  expect(logger.messages('warning')).toEqual(['i-0old has run 9 h 00 min, over the limit: stopping it.']);
  expect(result.summary).toContain('## EC2 reaper: ⚠️ 1 host(s) over 6 h 00 min');
  expect(result.summary).toContain('| i-0old | t3.small | 9 h 00 min | $0.19 | stopped |');
  stub.restore();
});

it('only lists in a dry run, and keeps going when one stop fails', async () => {
  const { fleet, stub, deps } = setup();
  fleet.add({ instanceId: 'i-0a', state: 'running', launchTime: hoursAgo(8) });
  const dry = await reapOverdueHosts(
    { tagKey: 'wms-pipeline', maxLifetimeMs: 3600_000, dryRun: true, stateTimeoutMs: 1000 },
    deps,
  );
  expect(dry.hosts.map((h) => h.action)).toEqual(['would-stop']);
  expect(fleet.count('StopInstances')).toBe(0);

  fleet.add({ instanceId: 'i-0b', state: 'running', launchTime: hoursAgo(8) });
  fleet.failNext('StopInstances', 'UnauthorizedOperation', 1);
  const real = await reapOverdueHosts(
    { tagKey: 'wms-pipeline', maxLifetimeMs: 3600_000, stateTimeoutMs: 60_000, pollIntervalMs: 10 },
    deps,
  );
  expect(real.hosts.map((h) => [h.host.instanceId, h.action])).toEqual([
    ['i-0a', 'failed'],
    ['i-0b', 'stopped'],
  ]);
  expect(real.hosts[0]!.error).toMatch(/^ec2:StopInstances was refused \(UnauthorizedOperation\)/);
  stub.restore();
});

it('reports an empty fleet plainly', async () => {
  const { stub, deps } = setup();
  const result = await reapOverdueHosts(
    { tagKey: 'wms-pipeline', maxLifetimeMs: 3600_000, stateTimeoutMs: 1000 },
    deps,
  );
  expect(result.summary).toBe('## EC2 reaper: ✅ nothing left running\n\nNo running host tagged wms-pipeline.');
  stub.restore();
});
