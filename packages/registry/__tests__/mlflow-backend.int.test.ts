import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { createMemoryLogger, UserError, type MemoryLogger } from '@wms/core';
import {
  ChampionChangedError,
  createRegistry,
  MlflowApiError,
  runQualityGate,
  VERSION_TAGS,
  type CreateRegistryOptions,
  type RegistryBackend,
} from '../src';
import { FakeMlflowServer } from '@wms/test-support';
import { fakeEvaluate, makeModelDir, makeTempDir } from '@wms/test-support';

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

describe('MLflow tracking', () => {
  it('creates the experiment once, chunks log-batch within MLflow limits, uploads artifacts and ends the run', async () => {
    const { tracking } = backend();
    const run = await tracking.startRun({ experiment: 'water-meters', runName: 'train-1', tags: { 'wms.pr': '7' } });
    const params = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`p${i}`, i]));
    await run.logParams(params);
    const metrics = Object.fromEntries(Array.from({ length: 2500 }, (_, i) => [`m${i}`, i / 10]));
    await run.logMetrics(metrics, 3);
    await run.logMetrics({ loss: Number.NaN, dice: 0.5 }, 4);
    await run.setTags({ note: 'x' });
    const modelDir = await makeModelDir(work, 'model', { dice: 0.8, iou: 0.7 });
    await run.logArtifacts(modelDir, 'model');
    await run.end('FINISHED');
    await backend().tracking.startRun({ experiment: 'water-meters' });

    expect(server.calls('/api/2.0/mlflow/experiments/create')).toHaveLength(1);
    const batches = server.calls('/api/2.0/mlflow/runs/log-batch').map((r) => r.body as Record<string, unknown[]>);
    for (const b of batches) {
      expect(b.params!.length).toBeLessThanOrEqual(100);
      expect(b.metrics!.length + b.params!.length + b.tags!.length).toBeLessThanOrEqual(1000);
    }
    const stored = server.runs.get(run.runId)!;
    expect(stored.data.params).toHaveLength(150);
    expect(stored.data.metrics).toHaveLength(2501);
    expect(stored.info.status).toBe('FINISHED');
    expect(logger.messages('warning').join('\n')).toContain('non-finite metric values to MLflow: loss');
    expect([...server.artifacts.keys()].sort()).toEqual(
      ['metrics.json', 'model.json', 'weights.bin'].map((f) => `1/${run.runId}/artifacts/model/${f}`),
    );
  });

  it('refuses a parameter value longer than MLflow accepts before sending anything', async () => {
    const run = await backend().tracking.startRun({ experiment: 'e' });
    await expect(run.logParams({ big: 'x'.repeat(6001) })).rejects.toThrow(
      /6001 characters long; MLflow accepts at most 6000/,
    );
    expect(server.calls('/api/2.0/mlflow/runs/log-batch')).toHaveLength(0);
  });
});

describe('MLflow registry: no champion yet means baseline 0', () => {
  it.each(['alias', 'stage'] as const)(
    '%s style: unknown model, and a model with versions but no champion',
    async (style) => {
      const { registry } = backend({ mlflow: { style } });
      await expect(registry.getChampion('water-meter')).resolves.toBeNull();
      expect(await registry.history('water-meter')).toEqual([]);
      await registry.registerVersion({
        model: 'water-meter',
        artifactsDir: await makeModelDir(work, 'a', { dice: 0.5, iou: 0.4 }),
        metrics: { dice: 0.5, iou: 0.4 },
      });
      await expect(registry.getChampion('water-meter')).resolves.toBeNull();
    },
  );
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

describe.each(['alias', 'stage'] as const)('MLflow registry, %s style', (style) => {
  it('registers, promotes, archives the previous champion, lists history and downloads artifacts', async () => {
    const { registry } = backend({ mlflow: { style, syncOther: true } });
    const v1 = await registry.registerVersion({
      model: 'water-meter',
      artifactsDir: await makeModelDir(work, 'v1', { dice: 0.6, iou: 0.5 }),
      metrics: { dice: 0.6, iou: 0.5 },
      tags: { 'wms.git_sha': 'abc' },
    });
    expect(v1.source).toBe(`mlflow-artifacts:/1/${v1.runId}/artifacts/model`);
    await registry.promote('water-meter', v1.version, { expectedChampionVersion: null });
    const v2 = await registry.registerVersion({
      model: 'water-meter',
      artifactsDir: await makeModelDir(work, 'v2', { dice: 0.7, iou: 0.6 }),
      metrics: { dice: 0.7, iou: 0.6 },
    });
    const record = await registry.promote('water-meter', v2.version, {
      expectedChampionVersion: '1',
      tags: { 'wms.pr': '12' },
    });
    expect(record).toEqual({ model: 'water-meter', version: '2', previousVersion: '1' });

    const champion = await registry.getChampion('water-meter');
    expect(champion).toEqual(
      expect.objectContaining({ version: '2', metrics: { dice: 0.7, iou: 0.6 }, status: 'champion' }),
    );
    expect(champion!.tags['wms.pr']).toBe('12');
    const model = server.models.get('water-meter')!;
    // Both markers agree because syncOther was asked for.
    expect(model.aliases.get('champion')).toBe('2');
    expect(model.versions.map((v) => v.current_stage)).toEqual(['Archived', 'Production']);
    const history = await registry.history('water-meter');
    expect(history.map((h) => [h.version, h.status])).toEqual([
      ['1', 'archived'],
      ['2', 'champion'],
    ]);
    expect(history[0]!.tags[VERSION_TAGS.replacedBy]).toBe('2');

    const dest = join(work, 'download');
    await registry.downloadArtifacts('water-meter', '1', dest);
    expect(JSON.parse(await fsp.readFile(join(dest, 'model.json'), 'utf8')).quality).toEqual({ dice: 0.6, iou: 0.5 });
  });

  it('refuses to promote when the champion changed since the gate', async () => {
    const { registry } = backend({ mlflow: { style } });
    const dir = await makeModelDir(work, 'm', { dice: 0.6, iou: 0.5 });
    const a = await registry.registerVersion({ model: 'wm', artifactsDir: dir, metrics: { dice: 0.6, iou: 0.5 } });
    const b = await registry.registerVersion({ model: 'wm', artifactsDir: dir, metrics: { dice: 0.6, iou: 0.5 } });
    await registry.promote('wm', a.version, { expectedChampionVersion: null });
    const refused = registry.promote('wm', b.version, { expectedChampionVersion: null });
    await expect(refused).rejects.toBeInstanceOf(ChampionChangedError);
    await expect(refused).rejects.toThrow(/champion changed since the quality gate ran .*now version 1/);
  });
});

describe('MLflow registry: a champion registered by the seed (no wms tags)', () => {
  it('takes its recorded metrics from its run', async () => {
    const post = (path: string, json: unknown) =>
      fetch(`${server.url}/api/2.0/mlflow/${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(json),
      }).then(
        (r) => r.json() as Promise<Record<string, any>>, // eslint-disable-line @typescript-eslint/no-explicit-any
      );
    const { experiment_id } = await post('experiments/create', { name: 'seed' });
    const { run } = await post('runs/create', { experiment_id, start_time: 1 });
    await post('runs/log-batch', {
      run_id: run.info.run_id,
      metrics: [
        { key: 'val_dice', value: 0.71, timestamp: 1, step: 0 },
        { key: 'val_iou', value: 0.6, timestamp: 1, step: 0 },
      ],
    });
    await post('registered-models/create', { name: 'seeded' });
    await post('model-versions/create', {
      name: 'seeded',
      source: `${run.info.artifact_uri}/model`,
      run_id: run.info.run_id,
    });
    await post('model-versions/transition-stage', {
      name: 'seeded',
      version: '1',
      stage: 'Production',
      archive_existing_versions: true,
    });
    const champion = await backend({ mlflow: { style: 'stage' } }).registry.getChampion('seeded');
    expect(champion).toEqual(
      expect.objectContaining({ version: '1', metrics: { dice: 0.71, iou: 0.6 }, status: 'champion' }),
    );
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
    expect(run.runId).toMatch(/^run/);
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
      'MLflow POST /api/2.0/mlflow/runs/update failed with HTTP 400 INVALID_PARAMETER_VALUE: injected 400',
    );
    expect(server.calls('/api/2.0/mlflow/runs/update')).toHaveLength(1);
  });

  it('sends the bearer token, or basic auth, and never shows the token', async () => {
    await backend().registry.getChampion('m');
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    await backend({}, { MLFLOW_TRACKING_USERNAME: 'ann', MLFLOW_TRACKING_PASSWORD: 'pw!' }).registry.getChampion('m');
    expect(server.requests[1]!.headers.authorization).toBe(`Basic ${Buffer.from('ann:pw!').toString('base64')}`);
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

describe('quality gate against MLflow', () => {
  it('re-evaluates the champion from its downloaded artifacts', async () => {
    const { registry } = backend();
    const v1 = await registry.registerVersion({
      model: 'wm',
      artifactsDir: await makeModelDir(work, 'champ', { dice: 0.62, iou: 0.51 }),
      metrics: { dice: 0.9, iou: 0.9 },
    });
    await registry.promote('wm', v1.version, { expectedChampionVersion: null });
    const candidate = await makeModelDir(work, 'cand', { dice: 0.7, iou: 0.6 });
    const result = await runQualityGate(
      { model: 'wm', candidateModelDir: candidate, scratchDir: work },
      { registry, evaluate: fakeEvaluate(), logger },
    );
    // Recorded metrics (0.9) would have blocked it; today's re-evaluation (0.62) does not.
    expect(result).toEqual(
      expect.objectContaining({ improved: true, championVersion: '1', baselineSource: 're-evaluated' }),
    );
    expect(result.baseline.dice).toBeCloseTo(0.62, 2);
  });
});
