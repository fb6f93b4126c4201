/**
 * The committed stop-infra bundle against a local EC2 Query API server: the idempotent paths
 * (instance gone, already stopped) succeed, a running host is stopped with its cost reported, a
 * host this run did not start is left running with a warning, and a host with the wrong tag is
 * never touched.
 */
import { e2eNodes, runActionBundle } from '@wms/test-support';
import { startEc2QueryServer, type Ec2QueryServer } from '../../../packages/infra/__tests__/support/ec2-query-server';
import { FakeEc2Fleet } from '../../../packages/infra/__tests__/support/fake-ec2-fleet';

jest.setTimeout(120_000);

const AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
};

let fleet: FakeEc2Fleet;
let ec2: Ec2QueryServer;
beforeAll(async () => {
  fleet = new FakeEc2Fleet({ settleDescribes: 2 });
  ec2 = await startEc2QueryServer(fleet);
});
afterAll(() => ec2.close());

describe.each(e2eNodes())('stop-infra bundle on %s', (node) => {
  const n = node === 'node24' ? '24' : '20';
  const run = (inputs: Record<string, string>) =>
    runActionBundle({
      action: 'stop-infra',
      node,
      inputs: { endpoint: ec2.url, 'poll-interval': '0.05', ...inputs },
      env: AWS_ENV,
    });

  it('succeeds for an instance that no longer exists', async () => {
    const result = await run({ 'instance-id': `i-0900000000000${n}00` });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ outcome: 'gone', 'instance-id': `i-0900000000000${n}00`, 'cost-usd': '' });
    expect(result.stdout).toContain(
      `::warning::instance i-0900000000000${n}00 with tag wms-pipeline=mlflow does not exist; nothing to stop.`,
    );
    expect(result.summary).toContain('## Stop infra: ✅ host no longer exists');
  });

  it('succeeds without a StopInstances call for a host that is already stopped', async () => {
    const id = `i-0a000000000000${n}`;
    fleet.add({ instanceId: id, state: 'stopped' });
    const before = fleet.count('StopInstances');
    const result = await run({ 'instance-id': id });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.outcome).toBe('already-stopped');
    expect(fleet.count('StopInstances')).toBe(before);
  });

  it('stops a running host, waits for stopped and reports the run time and its cost', async () => {
    const id = `i-0b000000000000${n}`;
    fleet.add({ instanceId: id, state: 'running', instanceType: 'm5.large' });
    const startedAt = new Date(Date.now() - 2 * 3600_000).toISOString();
    const result = await run({ 'instance-id': id, started: 'true', 'started-at': startedAt });
    expect(result.exitCode).toBe(0);
    expect(fleet.instances.get(id)!.state).toBe('stopped');
    expect(result.outputs.outcome).toBe('stopped');
    expect(Number(result.outputs['run-seconds'])).toBeGreaterThanOrEqual(7200);
    expect(Number(result.outputs['cost-usd'])).toBeCloseTo(0.192, 2);
    expect(result.summary).toContain('| Ran in this pipeline | 2 h 00 min |');
    expect(result.summary).toContain('| Price | $0.0960/h (compute only; EBS is billed while stopped) |');
  });

  it('leaves a host this run did not start running, warning with its price', async () => {
    const id = `i-0c000000000000${n}`;
    fleet.add({ instanceId: id, state: 'running', instanceType: 't3.large' });
    const result = await run({ 'instance-id': id, started: 'false' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.outcome).toBe('left-running');
    expect(result.stdout).toContain(
      `::warning::Leaving ${id} running (this run did not start it); it costs $0.0832/h (≈ $60/month) until stopped.`,
    );
    expect(fleet.instances.get(id)!.state).toBe('running');
  });

  it('fails, touching nothing, for an instance without the pipeline tag', async () => {
    const id = `i-0d000000000000${n}`;
    fleet.add({ instanceId: id, state: 'running', tags: { Name: 'production-db' } });
    const result = await run({ 'instance-id': id });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(`::error::Instance ${id} has wms-pipeline=(no such tag), not "mlflow"`);
    expect(fleet.instances.get(id)!.state).toBe('running');
  });
});
