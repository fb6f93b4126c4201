/** The terraform mode's runner against a fake `terraform` on PATH that records its arguments. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, isUserError } from '@wms/core';
import { createSpawnRunner, terraformApply, terraformDestroy } from '../src';
import { installFakeTerraform, type FakeTerraform } from './support/fake-terraform';

let dir: string;
let fake: FakeTerraform | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wms-tf-root-'));
});
afterEach(() => {
  fake?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

it('runs init, apply and output -json in the root and returns the output values', async () => {
  fake = installFakeTerraform({ instance_id: 'i-0tf', mlflow_url: 'http://10.0.1.5', instance_type: 't3.small' });
  const logger = createMemoryLogger();
  const outputs = await terraformApply(
    createSpawnRunner(logger),
    {
      dir,
      vars: { run_id: '42', subnet_id: 'subnet-0abc12345' },
      backendConfig: ['bucket=tf-state', 'key=wms/42.tfstate'],
      env: fake.env,
    },
    logger,
  );
  expect(outputs).toEqual({ instance_id: 'i-0tf', mlflow_url: 'http://10.0.1.5', instance_type: 't3.small' });
  expect(fake.calls()).toEqual([
    {
      cwd: dir,
      args: [
        'init',
        '-input=false',
        '-no-color',
        '-backend-config=bucket=tf-state',
        '-backend-config=key=wms/42.tfstate',
      ],
    },
    {
      cwd: dir,
      args: [
        'apply',
        '-auto-approve',
        '-input=false',
        '-no-color',
        '-var',
        'run_id=42',
        '-var',
        'subnet_id=subnet-0abc12345',
      ],
    },
    { cwd: dir, args: ['output', '-json', '-no-color'] },
  ]);
  // terraform's own lines reach the log; `output -json` (may hold secrets) does not.
  expect(logger.messages('info')).toContain('Apply complete! Resources: 6 added, 0 changed, 0 destroyed.');
  expect(logger.messages('info').join('\n')).not.toContain('"sensitive"');
});

it('destroys with the same variables after init', async () => {
  fake = installFakeTerraform({});
  const logger = createMemoryLogger();
  await terraformDestroy(createSpawnRunner(logger), { dir, vars: { run_id: '42' }, env: fake.env }, logger);
  expect(fake.calls().map((c) => c.args)).toEqual([
    ['init', '-input=false', '-no-color'],
    ['destroy', '-auto-approve', '-input=false', '-no-color', '-var', 'run_id=42'],
  ]);
});

it('reports a failed apply with the end of terraform’s error output', async () => {
  fake = installFakeTerraform({}, { failOn: 'apply' });
  const logger = createMemoryLogger();
  const error = await terraformApply(createSpawnRunner(logger), { dir, env: fake.env }, logger).catch(
    (e: unknown) => e,
  );
  expect(isUserError(error)).toBe(true);
  expect((error as Error).message).toBe(
    `terraform apply in ${dir} failed (exit 1):\nError: creating EC2 Instance: operation error EC2: RunInstances, api error UnauthorizedOperation`,
  );
  expect(fake.calls().map((c) => c.args[0])).toEqual(['init', 'apply']);
});

it('interrupts a terraform command that runs past its limit', async () => {
  fake = installFakeTerraform({});
  const logger = createMemoryLogger();
  const slow = { ...fake.env, FAKE_TF_SLEEP: '30' };
  const started = Date.now();
  const error = await terraformApply(createSpawnRunner(logger), { dir, env: slow, timeoutMs: 500 }, logger).catch(
    (e: unknown) => e,
  );
  expect(isUserError(error)).toBe(true);
  expect((error as Error).message).toBe(`terraform init in ${dir} did not finish within 1 s and was interrupted.`);
  expect(Date.now() - started).toBeLessThan(10_000);
});

it('names a Terraform root that does not exist', async () => {
  const logger = createMemoryLogger();
  await expect(terraformApply(createSpawnRunner(logger), { dir: join(dir, 'nope') }, logger)).rejects.toThrow(
    `Terraform root ${join(dir, 'nope')} does not exist.`,
  );
});

it('says how to get terraform when it is not on PATH', async () => {
  const logger = createMemoryLogger();
  const error = await terraformApply(
    createSpawnRunner(logger),
    { dir, binary: 'terraform-not-installed-here', env: { PATH: '/nonexistent' } },
    logger,
  ).catch((e: unknown) => e);
  expect(isUserError(error)).toBe(true);
  expect((error as Error).message).toBe(
    'terraform mode needs the terraform CLI, and terraform-not-installed-here was not found on PATH.',
  );
});
