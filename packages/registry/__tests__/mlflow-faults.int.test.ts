/**
 * What a real MLflow server cannot be made to do on demand: 5xx bursts, dropped connections,
 * auth failures, slow registrations, failed artifact uploads. Everything else runs against the
 * real server (mlflow-real-server.int.test.ts); the fake's answers are checked against it in
 * fake-mlflow-fidelity.int.test.ts.
 */
import { promises as fsp } from 'node:fs';
import { createMemoryLogger, UserError, type MemoryLogger } from '@wms/core';
import { createRegistry, MlflowApiError, type CreateRegistryOptions, type RegistryBackend } from '../src';
import { FakeMlflowServer, makeModelDir, makeTempDir } from '@wms/test-support';

const TOKEN = 'tok-s3cr3t-value';
let server: FakeMlflowServer;
let work: string;
let logger: MemoryLogger;

function backend(
  overrides: Partial<CreateRegistryOptions> = {},
  env: NodeJS.ProcessEnv = { MLFLOW_TRACKING_TOKEN: TOKEN },
): RegistryBackend {
  return createRegistry({
    trackingUri: server.url,
    workdir: work,
    logger,
    env,
    ...overrides,
    mlflow: { attempts: 4, baseDelayMs: 1, sleep: async () => undefined, ...overrides.mlflow },
  });
}

beforeEach(async () => {
  server = new FakeMlflowServer();
  await server.start();
  work = await makeTempDir();
  logger = createMemoryLogger();
});

afterEach(async () => {
  await server.stop();
  await fsp.rm(work, { recursive: true, force: true });
});

describe('MLflow registry: a missing endpoint is not a missing champion', () => {
  it('fails instead of passing every gate on a server without aliases', async () => {
    server.failNext({
      path: '/api/2.0/mlflow/registered-models/alias',
      times: 1,
      status: 404,
      errorCode: 'ENDPOINT_NOT_FOUND',
    });
    await expect(backend().registry.getChampion('m')).rejects.toThrow(/HTTP 404 ENDPOINT_NOT_FOUND/);
  });
});

describe('MLflow registry: asynchronous registration', () => {
  it('waits for a version to leave PENDING_REGISTRATION', async () => {
    await server.stop();
    server = new FakeMlflowServer({ pendingPolls: 3 });
    await server.start();
    const { registry } = backend();
    const dir = await makeModelDir(work, 'm', { dice: 0.6, iou: 0.5 });
    const v = await registry.registerVersion({ model: 'wm', artifactsDir: dir, metrics: { dice: 0.6, iou: 0.5 } });
    expect(v.version).toBe('1');
    expect(server.calls('/api/2.0/mlflow/model-versions/get')).toHaveLength(3);
    expect(server.models.get('wm')!.versions[0]!.status).toBe('READY');
  });
});

describe('MLflow HTTP behaviour', () => {
  it('retries 5xx answers and dropped connections, then succeeds', async () => {
    server.failNext({ path: '/api/2.0/mlflow/experiments/get-by-name', times: 2, status: 503 });
    server.failNext({ path: '/api/2.0/mlflow/experiments/create', times: 1, reset: true });
    const run = await backend().tracking.startRun({ experiment: 'flaky' });
    expect(run.runId).toMatch(/^[0-9a-f]{32}$/);
    expect(server.calls('/api/2.0/mlflow/experiments/get-by-name')).toHaveLength(3);
    expect(server.calls('/api/2.0/mlflow/experiments/create')).toHaveLength(2);
    expect(logger.messages('warning').filter((m) => m.includes('retrying'))).toHaveLength(3);
  });

  it('gives up after the configured attempts on persistent 5xx', async () => {
    server.failNext({
      path: '/api/2.0/mlflow/registered-models/alias',
      times: 10,
      status: 500,
      errorCode: 'INTERNAL_ERROR',
    });
    await expect(backend().registry.getChampion('m')).rejects.toThrow(
      /gave up after 4 attempts.*HTTP 500 INTERNAL_ERROR/,
    );
  });

  it('does not retry a 4xx and reports MLflow error_code and message', async () => {
    server.failNext({
      path: '/api/2.0/mlflow/runs/update',
      times: 1,
      status: 400,
      errorCode: 'INVALID_PARAMETER_VALUE',
    });
    const run = await backend().tracking.startRun({ experiment: 'e' });
    const error = await run.end('FINISHED').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowApiError);
    expect((error as MlflowApiError).message).toBe(
      `MLflow POST ${server.url}/api/2.0/mlflow/runs/update failed with HTTP 400 INVALID_PARAMETER_VALUE: injected 400`,
    );
    expect(server.calls('/api/2.0/mlflow/runs/update')).toHaveLength(1);
  });

  it('sends the bearer token, or basic auth, and never shows the token', async () => {
    await backend().registry.getChampion('m');
    const sent = server.requests.length;
    expect(sent).toBeGreaterThan(0);
    for (const r of server.requests) expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
    await backend({}, { MLFLOW_TRACKING_USERNAME: 'ann', MLFLOW_TRACKING_PASSWORD: 'pw!' }).registry.getChampion('m');
    expect(server.requests.length).toBeGreaterThan(sent);
    for (const r of server.requests.slice(sent)) {
      expect(r.headers.authorization).toBe(`Basic ${Buffer.from('ann:pw!').toString('base64')}`);
    }
  });

  it('explains a 401 without leaking the token', async () => {
    await server.stop();
    server = new FakeMlflowServer({ requireAuthorization: 'Bearer right-token' });
    await server.start();
    const error = await backend()
      .registry.getChampion('m')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(String((error as UserError).message)).toContain('HTTP 401 UNAUTHENTICATED: Invalid credentials');
    expect((error as UserError).hint).toContain('MLFLOW_TRACKING_TOKEN');
    const everything = JSON.stringify([String(error), logger.records]);
    expect(everything).not.toContain(TOKEN);
  });

  it('says which server it could not reach', async () => {
    await server.stop();
    const error = await backend({ mlflow: { attempts: 2 } })
      .registry.getChampion('m')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain(`Cannot reach the MLflow server at ${server.url}`);
  });
});

describe('a failed artifact upload is never swallowed', () => {
  it('marks the run FAILED at once, refuses to end it FINISHED, and reports what else was lost', async () => {
    const run = await backend({ mlflow: { attempts: 2 } }).tracking.startRun({ experiment: 'e' });
    server.failNext({ method: 'POST', path: '/api/2.0/mlflow/runs/log-batch', times: 2, status: 503 });
    await expect(run.logMetrics({ loss: 0.5 }, 3)).rejects.toThrow(/gave up after 2 attempts/);
    server.failNext({
      method: 'PUT',
      path: '/api/2.0/mlflow-artifacts/artifacts/*',
      times: 10,
      status: 500,
      errorCode: 'INTERNAL_ERROR',
    });
    const modelDir = await makeModelDir(work, 'model', { dice: 0.8, iou: 0.7 });
    await expect(run.logArtifacts(modelDir, 'model')).rejects.toThrow(
      new RegExp(
        `artifacts of MLflow run ${run.runId} .* did not reach mlflow-artifacts:/1/${run.runId}/artifacts/model`,
      ),
    );
    expect(server.runs.get(run.runId)!.info.status).toBe('FAILED');
    expect(run.requiredFailure).toBeInstanceOf(UserError);
    await expect(run.end('FINISHED')).rejects.toBe(run.requiredFailure);
    expect(server.runs.get(run.runId)!.info.status).toBe('FAILED');
    expect(run.lost()).toEqual(['metrics of step 3']);
    expect(logger.messages('warning').join('\n')).toContain(`MLflow run ${run.runId}: could not log metrics of step 3`);
  });
});

describe('hints name where the tracking URI came from', () => {
  it.each([
    [{ trackingUriSource: '--tracking-uri' }, {}, 'Check --tracking-uri'],
    [{ trackingUriSource: "input 'tracking-uri'" }, {}, "Check input 'tracking-uri'"],
    [{ trackingUri: undefined }, { MLFLOW_TRACKING_URI: 'set-below' }, 'Check MLFLOW_TRACKING_URI'],
  ] as const)('%j', async (overrides, env, hint) => {
    await server.stop();
    const resolvedEnv = Object.fromEntries(Object.entries(env).map(([k]) => [k, server.url]));
    const error = await backend({ ...overrides, mlflow: { attempts: 1 } }, resolvedEnv)
      .registry.getChampion('m')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).hint).toContain(hint);
  });
});
