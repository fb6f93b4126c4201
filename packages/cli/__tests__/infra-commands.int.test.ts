/**
 * `wms infra …` in-process against a local EC2 Query API server (the real SDK, signed requests)
 * and a local /health: start, stop, reap (the reaper workflow's entry) and prices.
 */
import { createMemoryLogger, noProgress } from '@wms/core';
import { startEc2QueryServer, type Ec2QueryServer } from '../../infra/__tests__/support/ec2-query-server';
import { FakeEc2Fleet } from '../../infra/__tests__/support/fake-ec2-fleet';
import { startLocalServer, type LocalServer } from '../../infra/__tests__/support/local-http';
import type { CliContext } from '../src/cli-options';
import { buildProgram } from '../src/program';

jest.setTimeout(60_000);

const ENV = {
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_REGION: 'eu-central-1',
  MLFLOW_TRACKING_USERNAME: 'wms',
  MLFLOW_TRACKING_PASSWORD: 'pw',
};
const saved = { ...process.env };
let fleet: FakeEc2Fleet;
let ec2: Ec2QueryServer;
let health: LocalServer;

beforeAll(async () => {
  // The SDK's credential chain reads process.env.
  Object.assign(process.env, ENV);
  fleet = new FakeEc2Fleet({ settleDescribes: 1 });
  ec2 = await startEc2QueryServer(fleet);
  const basic = `Basic ${Buffer.from('wms:pw').toString('base64')}`;
  health = await startLocalServer((req, res) =>
    req.headers.authorization === basic ? res.end('OK') : res.writeHead(401).end(),
  );
});
afterAll(async () => {
  process.env = saved;
  await ec2.close();
  await health.close();
});
afterEach(() => {
  process.exitCode = undefined;
});

function cli() {
  const printed: string[] = [];
  const logger = createMemoryLogger();
  const ctx: CliContext = {
    logger,
    progress: () => noProgress,
    env: { ...ENV },
    cwd: process.cwd(),
    print: (m) => void printed.push(m),
  };
  const run = (...args: string[]) => buildProgram(ctx).parseAsync(['node', 'wms', 'infra', ...args]);
  return { printed, logger, run };
}

it('start finds the host by tag and waits for /health with MLflow’s credential variables; stop stops it', async () => {
  fleet.add({ instanceId: 'i-0c1i000000000001', state: 'stopped' });
  const { run, printed } = cli();
  await run('start', '--endpoint', ec2.url, '--mlflow-url', health.url, '--poll-interval', '0.05');
  expect(printed.at(-1)).toContain('## Start infra: ✅ MLflow is ready');
  expect(fleet.instances.get('i-0c1i000000000001')!.state).toBe('running');
  await run('stop', '--endpoint', ec2.url, '--instance-id', 'i-0c1i000000000001', '--poll-interval', '0.05');
  expect(printed.at(-1)).toContain('## Stop infra: ✅ host stopped');
  expect(fleet.instances.get('i-0c1i000000000001')!.state).toBe('stopped');
});

it('reap stops a tagged host past --max-hours and lists the rest', async () => {
  fleet.add({ instanceId: 'i-0c1i000000000002', state: 'running', launchTime: new Date(Date.now() - 10 * 3600_000) });
  fleet.add({ instanceId: 'i-0c1i000000000003', state: 'running', launchTime: new Date(Date.now() - 600_000) });
  const { run, printed } = cli();
  await run('reap', '--endpoint', ec2.url, '--max-hours', '6');
  expect(process.exitCode).toBeUndefined();
  expect(printed.at(-1)).toMatch(/\| i-0c1i000000000002 \| t3\.small \| 10 h 00 min \| \$0\.21 \| stopped \|/);
  expect(printed.at(-1)).toMatch(/\| i-0c1i000000000003 \| t3\.small \| 10 min 0\d s \| .* \| kept \|/);
  expect(fleet.instances.get('i-0c1i000000000002')!.state).toBe('stopped');
  expect(fleet.instances.get('i-0c1i000000000003')!.state).toBe('running');
});

it('prices prints the table the cost reports use', async () => {
  const { run, printed } = cli();
  await run('prices');
  expect(printed.at(-1)).toContain('| t3.small | $0.0208 | $14.98 |');
});
