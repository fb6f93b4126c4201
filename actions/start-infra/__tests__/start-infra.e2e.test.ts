/**
 * The committed start-infra bundle run the way the runner runs it: the url mode against a local
 * /health with basic auth; the ec2 mode against a local EC2 Query API server (the bundled SDK
 * signs real requests to AWS_ENDPOINT_URL_EC2), followed by the same bundle as the post step with
 * the state the main step saved; and a start whose /health never comes up, which must still leave
 * the instance id in its outputs and let the post step stop the host.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eNodes, runActionBundle } from '@wms/test-support';
import { startEc2QueryServer, type Ec2QueryServer } from '../../../packages/infra/__tests__/support/ec2-query-server';
import { FakeEc2Fleet } from '../../../packages/infra/__tests__/support/fake-ec2-fleet';
import { startLocalServer, type LocalServer } from '../../../packages/infra/__tests__/support/local-http';
import { parseOutputFile } from '../../../scripts/lib/runner-files';

jest.setTimeout(120_000);

const AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_REGION: 'eu-central-1',
  AWS_EC2_METADATA_DISABLED: 'true',
};
const BASIC = `Basic ${Buffer.from('wms:hunter2-secret').toString('base64')}`;

let fleet: FakeEc2Fleet;
let ec2: Ec2QueryServer;
let health: LocalServer;
let sick: LocalServer;
let dir: string;

beforeAll(async () => {
  fleet = new FakeEc2Fleet({ settleDescribes: 2 });
  ec2 = await startEc2QueryServer(fleet);
  health = await startLocalServer((req, res) =>
    req.headers.authorization === BASIC ? res.end('OK') : res.writeHead(401).end('Unauthorized'),
  );
  sick = await startLocalServer((_req, res) => res.writeHead(502).end('Bad Gateway'));
  dir = mkdtempSync(join(tmpdir(), 'wms-start-infra-e2e-'));
});
afterAll(async () => {
  await ec2.close();
  await health.close();
  await sick.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The runner's post step: the same inputs, plus STATE_<name> for what the main step saved. */
function stateEnv(stateFile: string): Record<string, string> {
  const saved = parseOutputFile(readFileSync(stateFile, 'utf8'));
  return Object.fromEntries(Object.entries(saved).map(([k, v]) => [`STATE_${k}`, v]));
}

describe.each(e2eNodes())('start-infra bundle on %s', (node) => {
  it('url mode: waits for /health with basic auth, masks the password, sets the outputs', async () => {
    const run = await runActionBundle({
      action: 'start-infra',
      node,
      inputs: { mode: 'url', 'mlflow-url': health.url, 'mlflow-username': 'wms', 'mlflow-password': 'hunter2-secret' },
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ mode: 'url', 'mlflow-url': health.url, 'instance-id': '', started: 'false' });
    expect(run.stdout).toContain('::add-mask::hunter2-secret');
    expect(run.stdout.replace('::add-mask::hunter2-secret', '')).not.toContain('hunter2-secret');
    expect(run.summary).toContain('## Start infra: ✅ MLflow is ready');
  });

  it('ec2 mode: starts the stopped host, saves state, and its post step stops the host again', async () => {
    const id = node === 'node24' ? 'i-0e2e000000000024' : 'i-0e2e000000000020';
    fleet.add({
      instanceId: id,
      state: 'stopped',
      instanceType: 't3.small',
      tags: { 'wms-pipeline': `mlflow-${node}` },
    });
    const stateFile = join(dir, `state-${node}`);
    writeFileSync(stateFile, '');
    const inputs = {
      mode: 'ec2',
      tag: `wms-pipeline=mlflow-${node}`,
      'mlflow-url': health.url,
      'mlflow-username': 'wms',
      'mlflow-password': 'hunter2-secret',
      'poll-interval': '0.05',
    };
    const env = { ...AWS_ENV, AWS_ENDPOINT_URL_EC2: ec2.url, GITHUB_STATE: stateFile };
    const main = await runActionBundle({ action: 'start-infra', node, inputs, env });
    expect(main.exitCode).toBe(0);
    expect(main.outputs).toMatchObject({
      'instance-id': id,
      started: 'true',
      'instance-type': 't3.small',
      mode: 'ec2',
    });
    expect(fleet.instances.get(id)!.state).toBe('running');
    const state = parseOutputFile(readFileSync(stateFile, 'utf8'));
    expect(state).toMatchObject({ 'wms-post-step': 'true', 'instance-id': id, started: 'true' });

    const post = await runActionBundle({
      action: 'start-infra',
      node,
      inputs,
      env: { ...env, ...stateEnv(stateFile) },
    });
    expect(post.exitCode).toBe(0);
    expect(fleet.instances.get(id)!.state).toBe('stopped');
    expect(post.summary).toContain('## Stop infra: ✅ host stopped');
    expect(post.summary).toContain('| Instance | ' + id + ' (t3.small) |');
  });

  it('leaves the instance id behind when /health never answers, so the post step still stops the host', async () => {
    const id = node === 'node24' ? 'i-0bad000000000024' : 'i-0bad000000000020';
    fleet.add({ instanceId: id, state: 'stopped', tags: { 'wms-pipeline': 'mlflow' } });
    const stateFile = join(dir, `state-sick-${node}`);
    writeFileSync(stateFile, '');
    const inputs = {
      mode: 'ec2',
      'instance-id': id,
      endpoint: ec2.url,
      'mlflow-url': sick.url,
      'health-timeout': '5',
      'poll-interval': '0.05',
    };
    const env = { ...AWS_ENV, GITHUB_STATE: stateFile };
    const main = await runActionBundle({ action: 'start-infra', node, inputs, env });
    expect(main.exitCode).toBe(1);
    expect(main.stdout).toMatch(
      /::error::Gave up waiting for MLflow at .*\/health to answer OK after 5\.\d s .*last seen: HTTP 502 "Bad Gateway"/,
    );
    // Set before the wait, not at the end: a failed or cancelled start still names its host.
    expect(main.outputs).toMatchObject({ 'instance-id': id, started: 'true', 'mlflow-url': sick.url });
    expect(fleet.instances.get(id)!.state).toBe('running');

    const post = await runActionBundle({
      action: 'start-infra',
      node,
      inputs,
      env: { ...env, ...stateEnv(stateFile) },
    });
    expect(post.exitCode).toBe(0);
    expect(fleet.instances.get(id)!.state).toBe('stopped');
  });
});
