/**
 * start-infra/stop-infra stages end to end inside one process: the real @aws-sdk/client-ec2 talks
 * EC2 Query API XML to a local server backed by an EC2 state machine, MLflow's /health is a local
 * HTTP server, and the terraform mode runs a fake `terraform` on PATH.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '@wms/core';
import { createSpawnRunner } from '@wms/infra';
import { startEc2QueryServer, type Ec2QueryServer } from '../../infra/__tests__/support/ec2-query-server';
import { FakeEc2Fleet } from '../../infra/__tests__/support/fake-ec2-fleet';
import { installFakeTerraform } from '../../infra/__tests__/support/fake-terraform';
import { startLocalServer, type LocalServer } from '../../infra/__tests__/support/local-http';
import {
  mlflowUrlForHost,
  runStartInfraStage,
  runStopInfraStage,
  type InfraFact,
  type StartInfraStageOptions,
} from '../src';

const TAG = { key: 'wms-pipeline', value: 'mlflow' };
let fleet: FakeEc2Fleet;
let ec2: Ec2QueryServer;
let health: LocalServer;
let workspace: string;
const savedEnv = { ...process.env };

beforeAll(() => {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(async () => {
  fleet = new FakeEc2Fleet({ settleDescribes: 2 });
  ec2 = await startEc2QueryServer(fleet);
  health = await startLocalServer((_req, res) => res.end('OK'));
  workspace = mkdtempSync(join(tmpdir(), 'wms-infra-stage-'));
});
afterEach(async () => {
  await ec2.close();
  await health.close();
  rmSync(workspace, { recursive: true, force: true });
});

function ec2Options(instanceId?: string): StartInfraStageOptions {
  return {
    mode: 'ec2',
    ec2: { host: { instanceId, tag: TAG }, region: 'eu-central-1', endpoint: ec2.url },
    mlflowUrl: health.url,
    runningTimeoutMs: 10_000,
    healthTimeoutMs: 5000,
    pollIntervalMs: 20,
    healthIntervalMs: 20,
    workspace,
  };
}

describe('ec2 mode over the EC2 Query API', () => {
  it('starts a stopped host, reports each fact as soon as known, and stop-infra stops it with its cost', async () => {
    fleet.add({ instanceId: 'i-0123456789abcdef0', state: 'stopped', instanceType: 't3.medium' });
    const facts: Array<[InfraFact, string]> = [];
    const logger = createMemoryLogger();
    const started = await runStartInfraStage(ec2Options(), { logger, onKnown: (f, v) => facts.push([f, v]) });
    expect(started).toMatchObject({
      mode: 'ec2',
      instanceId: 'i-0123456789abcdef0',
      instanceType: 't3.medium',
      started: true,
      mlflowUrl: health.url,
      usdPerHour: 0.0416,
    });
    expect(facts.map(([f]) => f)).toEqual([
      'mode',
      'instance-id',
      'instance-type',
      'started',
      'started-at',
      'mlflow-url',
    ]);
    expect(facts.find(([f]) => f === 'started')![1]).toBe('true');
    expect(fleet.instances.get('i-0123456789abcdef0')!.state).toBe('running');
    expect(ec2.signedRequests).toBe(fleet.calls.length);
    expect(started.summary).toContain('## Start infra: ✅ MLflow is ready');
    expect(started.summary).toContain('| Started by this run | yes (stop-infra will stop it) |');

    const t0 = Date.parse(started.startedAt);
    const stopped = await runStopInfraStage(
      {
        mode: 'ec2',
        ec2: ec2Options('i-0123456789abcdef0').ec2,
        started: true,
        startedAt: new Date(t0),
        stoppedTimeoutMs: 10_000,
        pollIntervalMs: 20,
        workspace,
      },
      { logger, now: () => t0 + 90 * 60_000 },
    );
    expect(stopped).toMatchObject({ outcome: 'stopped', runSeconds: 5400, usdPerHour: 0.0416 });
    expect(stopped.usd).toBeCloseTo(0.0624, 6);
    expect(stopped.summary).toContain('## Stop infra: ✅ host stopped');
    expect(stopped.summary).toContain('| Ran in this pipeline | 1 h 30 min |');
    expect(stopped.summary).toContain('| Cost of that time | $0.06 |');
    expect(fleet.instances.get('i-0123456789abcdef0')!.state).toBe('stopped');
  });

  it('leaves a host it did not start running, warning what it costs per hour', async () => {
    fleet.add({ instanceId: 'i-0aaaaaaaaaaaaaaa1', state: 'running', launchTime: new Date(Date.now() - 3600_000) });
    const logger = createMemoryLogger();
    const started = await runStartInfraStage(ec2Options(), { logger });
    expect(started.started).toBe(false);
    expect(Date.parse(started.startedAt)).toBeLessThan(Date.now() - 3500_000);
    const result = await runStopInfraStage(
      { mode: 'ec2', ec2: ec2Options('i-0aaaaaaaaaaaaaaa1').ec2, started: false, stoppedTimeoutMs: 5000, workspace },
      { logger },
    );
    expect(result.outcome).toBe('left-running');
    expect(logger.messages('warning')).toEqual([
      expect.stringMatching(
        /^Leaving i-0aaaaaaaaaaaaaaa1 running \(this run did not start it\); it costs \$0\.0208\/h \(≈ \$15\/month\) until stopped\./,
      ),
    ]);
    expect(fleet.count('StopInstances')).toBe(0);
    expect(result.summary).toContain('## Stop infra: ⚠️ host left running');
  });

  it('succeeds when the host is already gone', async () => {
    const logger = createMemoryLogger();
    const result = await runStopInfraStage(
      { mode: 'ec2', ec2: ec2Options('i-0deadbeefdeadbeef').ec2, stoppedTimeoutMs: 5000, workspace },
      { logger },
    );
    expect(result).toMatchObject({ outcome: 'gone', instanceId: 'i-0deadbeefdeadbeef', runSeconds: undefined });
    expect(result.summary).toContain('## Stop infra: ✅ host no longer exists');
  });
});

describe('terraform mode with a fake terraform', () => {
  it('applies, reports started before the host id, waits for health, and destroys on stop', async () => {
    const fake = installFakeTerraform({
      instance_id: 'i-0tf0000000000001',
      mlflow_url: health.url,
      instance_type: 't3.small',
      bucket_name: 'b',
    });
    mkdirSync(join(workspace, 'infra/ephemeral'), { recursive: true });
    try {
      const logger = createMemoryLogger();
      const runner = createSpawnRunner(logger);
      const withEnv: typeof runner = (cmd, args, o) => runner(cmd, args, { ...o, env: fake.env });
      const facts: InfraFact[] = [];
      const options: StartInfraStageOptions = {
        mode: 'terraform',
        terraform: { dir: 'infra/ephemeral', vars: { run_id: '7' } },
        runningTimeoutMs: 10_000,
        healthTimeoutMs: 5000,
        healthIntervalMs: 20,
        workspace,
      };
      const started = await runStartInfraStage(options, { logger, runner: withEnv, onKnown: (f) => facts.push(f) });
      expect(started).toMatchObject({ instanceId: 'i-0tf0000000000001', mlflowUrl: health.url, started: true });
      expect(facts).toEqual(['mode', 'started', 'started-at', 'instance-id', 'instance-type', 'mlflow-url']);
      const stopped = await runStopInfraStage(
        { mode: 'terraform', terraform: options.terraform, stoppedTimeoutMs: 5000, workspace },
        { logger, runner: withEnv },
      );
      expect(stopped.outcome).toBe('destroyed');
      expect(fake.calls().map((c) => [c.cwd, c.args[0]])).toEqual([
        [join(workspace, 'infra/ephemeral'), 'init'],
        [join(workspace, 'infra/ephemeral'), 'apply'],
        [join(workspace, 'infra/ephemeral'), 'output'],
        [join(workspace, 'infra/ephemeral'), 'init'],
        [join(workspace, 'infra/ephemeral'), 'destroy'],
      ]);
    } finally {
      fake.cleanup();
    }
  });
});

describe('url mode', () => {
  it('only waits for /health with the configured auth, and has nothing to stop', async () => {
    const logger = createMemoryLogger();
    const started = await runStartInfraStage(
      {
        mode: 'url',
        mlflowUrl: health.url,
        auth: { kind: 'bearer', token: 't0ken' },
        runningTimeoutMs: 1000,
        healthTimeoutMs: 5000,
        workspace,
      },
      { logger },
    );
    expect(started).toMatchObject({ mode: 'url', instanceId: '', started: false, mlflowUrl: health.url });
    expect(health.requests.at(-1)!.headers.authorization).toBe('Bearer t0ken');
    const stopped = await runStopInfraStage({ mode: 'url', stoppedTimeoutMs: 1000, workspace }, { logger });
    expect(stopped.outcome).toBe('nothing-to-stop');
  });
});

describe('mlflowUrlForHost', () => {
  const host = {
    instanceId: 'i-1',
    state: 'running' as const,
    tags: {},
    publicDnsName: 'ec2-1-2-3-4.compute-1.amazonaws.com',
    publicIp: '1.2.3.4',
    privateIp: '10.0.0.5',
  };
  it('defaults to http://<public DNS> and fills placeholders', () => {
    expect(mlflowUrlForHost(host, undefined)).toBe('http://ec2-1-2-3-4.compute-1.amazonaws.com');
    expect(mlflowUrlForHost(host, 'http://{private-ip}:5000')).toBe('http://10.0.0.5:5000');
  });
  it('refuses a placeholder the host cannot fill', () => {
    expect(() => mlflowUrlForHost({ ...host, publicIp: undefined }, 'http://{public-ip}')).toThrow(
      'Instance i-1 is running but has no public-ip to reach MLflow at.',
    );
  });
});
