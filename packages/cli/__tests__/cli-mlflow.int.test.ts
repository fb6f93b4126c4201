/**
 * The `wms` commands against a real MLflow 2.12.2 server: `models` on an empty server, the whole
 * `pipeline --tracking-uri` (tiny config, seconds), `models` again, and `promote` with the
 * registry-style flags the actions take as inputs.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, noProgress } from '@wms/core';
import {
  describeWithMlflowServer,
  startMlflowServer,
  writeTinyDataset,
  type RunningMlflowServer,
} from '@wms/test-support';
import { buildProgram } from '../src/program';
import type { CliContext } from '../src/cli-options';

jest.setTimeout(180_000);

const TINY_CONFIG = `model: { input_size: 32, base_filters: 4, depth: 2 }
training: { epochs: 2, learning_rate: 0.01, time_budget_sec: 30 }
`;

function cli(cwd: string, env: NodeJS.ProcessEnv = {}) {
  const printed: string[] = [];
  const logger = createMemoryLogger();
  const ctx: CliContext = { logger, progress: () => noProgress, env, cwd, print: (m) => void printed.push(m) };
  const run = async (...args: string[]) => {
    process.exitCode = undefined;
    await buildProgram(ctx).parseAsync(['node', 'wms', ...args]);
    return process.exitCode;
  };
  return { printed, logger, run };
}

async function markers(url: string, model: string) {
  const api = (path: string) => fetch(`${url}/api/2.0/mlflow/${path}`).then((r) => r.json() as Promise<any>); // eslint-disable-line @typescript-eslint/no-explicit-any
  const { registered_model } = await api(`registered-models/get?name=${model}`);
  const { model_versions } = await api(`model-versions/search?filter=${encodeURIComponent(`name='${model}'`)}`);
  return {
    alias: (registered_model.aliases ?? []).find((a: { alias: string }) => a.alias === 'champion')?.version ?? null,
    stages: Object.fromEntries(
      (model_versions ?? []).map((v: { version: string; current_stage: string }) => [v.version, v.current_stage]),
    ),
  };
}

describeWithMlflowServer('wms against a real MLflow server', () => {
  let server: RunningMlflowServer;
  let cwd: string;

  beforeAll(async () => {
    server = await startMlflowServer();
    cwd = mkdtempSync(join(tmpdir(), 'wms-cli-mlflow-'));
    await writeTinyDataset(join(cwd, 'data'), 16, 3);
    mkdirSync(join(cwd, 'configs'));
    writeFileSync(join(cwd, 'configs/tiny.yaml'), TINY_CONFIG);
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
    process.exitCode = undefined;
  });

  it('wms models on a server that has never seen the model', async () => {
    const { run, printed } = cli(cwd);
    expect(await run('models', '--tracking-uri', server.url, '--model-name', 'meter')).toBeUndefined();
    expect(printed.at(-1)).toBe(`No versions of 'meter' in ${server.url} yet.`);
  });

  it('wms pipeline --tracking-uri: the first model is trained, tracked, gated against baseline 0 and promoted', async () => {
    const { run, printed, logger } = cli(cwd);
    const code = await run(
      'pipeline',
      '--tracking-uri',
      server.url,
      '--data-dir',
      'data',
      '--config',
      'configs/tiny.yaml',
      '--backend',
      'wasm',
      '--model-name',
      'meter',
    );
    expect({ code, errors: logger.messages('error') }).toEqual({ code: undefined, errors: [] });
    const text = printed.join('\n');
    expect(text).toContain('## Quality gate: meter');
    expect(text).toContain('no champion yet (baseline 0)');
    expect(text).toContain('Promoted meter version 1');
    expect(text).toContain(`Registry: ${server.url}`);
    expect(await markers(server.url, 'meter')).toEqual({ alias: '1', stages: { '1': 'None' } });

    // The run that trained it is FINISHED on the server, with its artifacts.
    const runs = await fetch(`${server.url}/api/2.0/mlflow/runs/search`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ experiment_ids: ['1'] }),
    }).then((r) => r.json() as Promise<{ runs: Array<{ info: { status: string; run_id: string } }> }>);
    expect(runs.runs.map((r) => r.info.status)).toEqual(['FINISHED']);
  });

  it('wms models lists the champion', async () => {
    const { run, printed } = cli(cwd);
    await run('models', '--tracking-uri', server.url, '--model-name', 'meter');
    expect(printed.at(-1)).toMatch(/\|\s+1 \| champion \|/);
  });

  it('wms promote with --registry-style stage: the same model again is not better; a new model name is promoted by stage', async () => {
    const runsDir = join(cwd, '.wms', 'runs');
    const candidate = join('.wms', 'runs', readdirSync(runsDir)[0]!, 'model');
    const again = cli(cwd);
    const code = await again.run(
      'promote',
      '--candidate',
      candidate,
      '--data-dir',
      'data',
      '--tracking-uri',
      server.url,
      '--registry-style',
      'stage',
      '--model-name',
      'meter',
    );
    // The stage reader found the alias's champion (version 1) and re-scored it: equal is not better.
    expect(code).toBe(1);
    expect(again.printed.join('\n')).toContain('Champion (version 1)');

    const staged = cli(cwd);
    expect(
      await staged.run(
        'promote',
        '--candidate',
        candidate,
        '--data-dir',
        'data',
        '--tracking-uri',
        server.url,
        '--registry-style',
        'stage',
        '--sync-registry-styles',
        '--model-name',
        'meter-staged',
      ),
    ).toBeUndefined();
    expect(await markers(server.url, 'meter-staged')).toEqual({ alias: '1', stages: { '1': 'Production' } });
  });

  it('names the flag in the hint when the tracking URI is wrong', async () => {
    const { run, logger } = cli(cwd);
    await expect(run('models', '--tracking-uri', `${server.url}/mlflow`, '--model-name', 'meter')).rejects.toThrow(
      /not an MLflow API answer/,
    );
    expect(logger.messages('error')).toEqual([]);
    const fromEnv = cli(cwd, { WMS_TRACKING_URI: `${server.url}/mlflow` });
    const error = await fromEnv.run('models').catch((e: unknown) => e);
    expect((error as { hint?: string }).hint).toContain('Check WMS_TRACKING_URI');
  });
});
