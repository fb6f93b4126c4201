/**
 * The registry, the quality gate and promotion against a real MLflow 2.12.2 server (one per file,
 * reused; each test uses its own model name). The fake server is only for faults (see
 * mlflow-faults.int.test.ts).
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { createMemoryLogger, describeFailure, UserError, type MemoryLogger } from '@wms/core';
import {
  describeWithMlflowServer,
  fakeEvaluate,
  makeModelDir,
  makeTempDir,
  startMlflowServer,
  type RunningMlflowServer,
} from '@wms/test-support';
import {
  ChampionChangedError,
  createRegistry,
  MlflowApiError,
  promoteCandidate,
  runQualityGate,
  VERSION_TAGS,
  type CreateRegistryOptions,
  type RegistryBackend,
} from '../src';

let server: RunningMlflowServer;
let work: string;
let logger: MemoryLogger;
let modelCounter = 0;
const uniqueModel = (prefix: string): string => `${prefix}-${++modelCounter}`;

function backend(overrides: Partial<CreateRegistryOptions> = {}): RegistryBackend {
  return createRegistry({
    trackingUri: server.url,
    workdir: work,
    logger,
    env: {},
    ...overrides,
    mlflow: { attempts: 2, baseDelayMs: 1, ...overrides.mlflow },
  });
}

async function api<T = Record<string, unknown>>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const url = `${server.url}/api/2.0/mlflow/${path}`;
  const r = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await r.json()) as T;
}

/** What the gate and promote stages do with one candidate, as the actions chain them. */
async function gateAndPromote(b: RegistryBackend, model: string, quality: { dice: number; iou: number }) {
  const dir = await makeModelDir(work, `${model}-${quality.dice}`, quality);
  const gate = await runQualityGate(
    { model, candidateModelDir: dir, scratchDir: work },
    { registry: b.registry, evaluate: fakeEvaluate(), logger },
  );
  if (!gate.improved) return { gate, promotion: undefined };
  const promotion = await promoteCandidate(
    {
      model,
      candidateModelDir: dir,
      expectedChampionVersion: gate.championVersion,
      candidate: gate.candidate,
      baseline: gate.baseline,
      reason: gate.reason,
    },
    { registry: b.registry, logger },
  );
  return { gate, promotion };
}

describeWithMlflowServer('real MLflow 2.12.2 server', () => {
  beforeAll(async () => {
    server = await startMlflowServer();
    work = await makeTempDir();
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    if (work) await fsp.rm(work, { recursive: true, force: true });
  });

  beforeEach(() => {
    logger = createMemoryLogger();
  });

  describe.each(['alias', 'stage'] as const)('%s style', (style) => {
    it('first-ever gate and promotion (no model, no champion), then a better and a worse candidate', async () => {
      const model = uniqueModel(`first-${style}`);
      const b = backend({ mlflow: { style } });
      await expect(b.registry.getChampion(model)).resolves.toBeNull();
      expect(await b.registry.history(model)).toEqual([]);

      const first = await gateAndPromote(b, model, { dice: 0.6, iou: 0.5 });
      expect(first.gate).toEqual(
        expect.objectContaining({ improved: true, championVersion: null, baselineSource: 'none' }),
      );
      expect(first.promotion).toEqual(expect.objectContaining({ version: '1', previousVersion: null }));

      const better = await gateAndPromote(b, model, { dice: 0.7, iou: 0.6 });
      expect(better.gate).toEqual(
        expect.objectContaining({ improved: true, championVersion: '1', baselineSource: 're-evaluated' }),
      );
      expect(better.gate.baseline.dice).toBeCloseTo(0.6, 2);
      expect(better.promotion).toEqual(expect.objectContaining({ version: '2', previousVersion: '1' }));

      const worse = await gateAndPromote(b, model, { dice: 0.65, iou: 0.7 });
      expect(worse.gate).toEqual(expect.objectContaining({ improved: false, championVersion: '2' }));
      expect(worse.gate.reason).toMatch(/Not improved over the champion: Dice −0\.0500/);
      expect(worse.promotion).toBeUndefined();

      const champion = await b.registry.getChampion(model);
      expect(champion).toEqual(expect.objectContaining({ version: '2', status: 'champion' }));
      expect(champion!.metrics!.dice).toBeCloseTo(0.7, 2);
      const history = await b.registry.history(model);
      expect(history.map((h) => [h.version, h.status])).toEqual([
        ['1', 'archived'],
        ['2', 'champion'],
      ]);
      expect(history[0]!.tags[VERSION_TAGS.replacedBy]).toBe('2');
    });

    it('a model with a registered version but no champion yet has baseline 0', async () => {
      const model = uniqueModel(`nochamp-${style}`);
      const { registry } = backend({ mlflow: { style } });
      await registry.registerVersion({
        model,
        artifactsDir: await makeModelDir(work, model, { dice: 0.5, iou: 0.4 }),
        metrics: { dice: 0.5, iou: 0.4 },
      });
      await expect(registry.getChampion(model)).resolves.toBeNull();
      expect((await registry.history(model)).map((v) => v.status)).toEqual(['registered']);
    });

    it('refuses to promote when the champion changed since the gate', async () => {
      const model = uniqueModel(`race-${style}`);
      const { registry } = backend({ mlflow: { style } });
      const dir = await makeModelDir(work, model, { dice: 0.6, iou: 0.5 });
      const a = await registry.registerVersion({ model, artifactsDir: dir, metrics: { dice: 0.6, iou: 0.5 } });
      const b = await registry.registerVersion({ model, artifactsDir: dir, metrics: { dice: 0.6, iou: 0.5 } });
      await registry.promote(model, a.version, { expectedChampionVersion: null });
      const refused = registry.promote(model, b.version, { expectedChampionVersion: null });
      await expect(refused).rejects.toBeInstanceOf(ChampionChangedError);
      await expect(refused).rejects.toThrow(/champion changed since the quality gate ran .*now version 1/);
    });
  });

  describe('both registry styles stay consistent', () => {
    const markers = async (model: string) => {
      const { registered_model } = await api<{
        registered_model: { aliases?: Array<{ alias: string; version: string }> };
      }>('GET', `registered-models/get?name=${model}`);
      const { model_versions } = await api<{ model_versions?: Array<{ version: string; current_stage: string }> }>(
        'GET',
        `model-versions/search?filter=${encodeURIComponent(`name='${model}'`)}`,
      );
      return {
        alias: registered_model.aliases?.find((a) => a.alias === 'champion')?.version ?? null,
        stages: Object.fromEntries((model_versions ?? []).map((v) => [v.version, v.current_stage])),
      };
    };

    it('with sync: both markers move together', async () => {
      const model = uniqueModel('sync');
      const b = backend({ mlflow: { style: 'alias', syncOther: true } });
      await gateAndPromote(b, model, { dice: 0.6, iou: 0.5 });
      await gateAndPromote(b, model, { dice: 0.7, iou: 0.6 });
      expect(await markers(model)).toEqual({ alias: '2', stages: { '1': 'Archived', '2': 'Production' } });
    });

    it('a stage-style promotion, then an alias-only one: the stage reader sees the new champion too', async () => {
      const model = uniqueModel('stage-then-alias');
      await gateAndPromote(backend({ mlflow: { style: 'stage' } }), model, { dice: 0.6, iou: 0.5 });
      await gateAndPromote(backend({ mlflow: { style: 'alias' } }), model, { dice: 0.7, iou: 0.6 });
      const m = await markers(model);
      expect(m.stages).toEqual({ '1': 'Archived', '2': 'Production' });
      expect(m.alias).toBe('2');
      await expect(backend({ mlflow: { style: 'stage' } }).registry.getChampion(model)).resolves.toEqual(
        expect.objectContaining({ version: '2' }),
      );
    });

    it('an alias-style promotion, then a stage-only one: the alias follows', async () => {
      const model = uniqueModel('alias-then-stage');
      await gateAndPromote(backend({ mlflow: { style: 'alias' } }), model, { dice: 0.6, iou: 0.5 });
      const second = await gateAndPromote(backend({ mlflow: { style: 'stage' } }), model, { dice: 0.7, iou: 0.6 });
      // The stage reader found the alias's champion instead of comparing against baseline 0.
      expect(second.gate.championVersion).toBe('1');
      expect(await markers(model)).toEqual({ alias: '2', stages: { '1': 'None', '2': 'Production' } });
    });

    it('a model only ever promoted by alias gets no stage', async () => {
      const model = uniqueModel('alias-only');
      const b = backend({ mlflow: { style: 'alias' } });
      await gateAndPromote(b, model, { dice: 0.6, iou: 0.5 });
      await gateAndPromote(b, model, { dice: 0.7, iou: 0.6 });
      expect(await markers(model)).toEqual({ alias: '2', stages: { '1': 'None', '2': 'None' } });
    });
  });

  describe('a wrong tracking URI fails closed', () => {
    it.each(['alias', 'stage'] as const)(
      '%s style: a base path the server does not serve (Flask HTML 404) is an error naming the URL, never "no champion"',
      async (style) => {
        const model = uniqueModel(`wrongpath-${style}`);
        await gateAndPromote(backend({ mlflow: { style: 'stage', syncOther: true } }), model, { dice: 0.9, iou: 0.85 });
        const wrong = backend({
          trackingUri: `${server.url}/mlflow`,
          trackingUriSource: "input 'tracking-uri'",
          mlflow: { style },
        });
        const error = await wrong.registry.getChampion(model).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UserError);
        const text = describeFailure(error);
        expect(text).toContain(`${server.url}/mlflow/api/2.0/mlflow/`);
        expect(text).toMatch(/not an MLflow API answer/);
        expect(text).toContain("input 'tracking-uri'");
        // The gate must not pass a worse candidate because of it.
        const dir = await makeModelDir(work, `${model}-worse`, { dice: 0.5, iou: 0.4 });
        await expect(
          runQualityGate(
            { model, candidateModelDir: dir, scratchDir: work },
            { registry: wrong.registry, evaluate: fakeEvaluate(), logger },
          ),
        ).rejects.toThrow(/not an MLflow API answer/);
      },
    );

    it('a server error names the full URL of the request', async () => {
      const error = await backend()
        .registry.downloadArtifacts('no-such-model', '1', join(work, 'x'))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MlflowApiError);
      expect((error as Error).message).toBe(
        `MLflow GET ${server.url}/api/2.0/mlflow/model-versions/get failed with HTTP 404 RESOURCE_DOES_NOT_EXIST: Model Version (name=no-such-model, version=1) not found`,
      );
    });
  });

  describe('tags and params within what the server stores', () => {
    it('a 5000-character tag round-trips; a longer one is refused before it can be cut', async () => {
      const run = await backend().tracking.startRun({ experiment: 'tags' });
      await run.setTags({ exact: 'x'.repeat(5000) });
      await expect(run.setTags({ long: 'y'.repeat(5001) })).rejects.toThrow(
        /Tag "long" is 5001 characters long; MLflow stores at most 5000/,
      );
      const { run: stored } = await api<{ run: { data: { tags: Array<{ key: string; value: string }> } } }>(
        'GET',
        `runs/get?run_id=${run.runId}`,
      );
      const tags = Object.fromEntries(stored.data.tags.map((t) => [t.key, t.value]));
      expect(tags.exact).toHaveLength(5000);
      expect(tags.long).toBeUndefined();
    });

    it('version tags are checked too, before anything is registered', async () => {
      const model = uniqueModel('vtags');
      const { registry } = backend();
      await expect(
        registry.registerVersion({
          model,
          artifactsDir: await makeModelDir(work, model, { dice: 0.5, iou: 0.4 }),
          metrics: { dice: 0.5, iou: 0.4 },
          tags: { 'wms.reason': 'r'.repeat(5001) },
        }),
      ).rejects.toThrow(/Tag "wms.reason" is 5001 characters long; MLflow stores at most 5000/);
      expect(await registry.history(model)).toEqual([]);
    });
  });

  describe('tracking and artifacts', () => {
    it('creates the experiment once, chunks log-batch, uploads artifacts and ends the run', async () => {
      const { tracking } = backend();
      const run = await tracking.startRun({ experiment: 'water-meters', runName: 'train-1', tags: { 'wms.pr': '7' } });
      await run.logParams(Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`p${i}`, i])));
      await run.logMetrics(Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [`m${i}`, i / 10])), 3);
      await run.logMetrics({ loss: Number.NaN, dice: 0.5 }, 4);
      const modelDir = await makeModelDir(work, 'tracked-model', { dice: 0.8, iou: 0.7 });
      await run.logArtifacts(modelDir, 'model');
      await run.end('FINISHED');
      const again = await backend().tracking.startRun({ experiment: 'water-meters' });
      await again.end('FINISHED');

      const { run: stored } = await api<{
        run: {
          info: { status: string };
          data: { params: unknown[]; metrics: unknown[]; tags: Array<{ key: string }> };
        };
      }>('GET', `runs/get?run_id=${run.runId}`);
      expect(stored.info.status).toBe('FINISHED');
      expect(stored.data.params).toHaveLength(150);
      expect(stored.data.metrics).toHaveLength(1201); // latest value per key
      expect(stored.data.tags.map((t) => t.key)).toContain('wms.pr');
      expect(logger.messages('warning').join('\n')).toContain('non-finite metric values to MLflow: loss');
    });

    it('artifacts go up and come back byte for byte, nested folders included', async () => {
      const model = uniqueModel('artifacts');
      const { registry } = backend();
      const dir = await makeModelDir(work, model, { dice: 0.66, iou: 0.55 });
      await fsp.mkdir(join(dir, 'refine', 'deeper'), { recursive: true });
      await fsp.writeFile(join(dir, 'refine', 'deeper', 'weights.bin'), Buffer.from([0, 255, 7, 1]));
      await fsp.writeFile(join(dir, 'name with spaces.txt'), 'ok');
      const v = await registry.registerVersion({ model, artifactsDir: dir, metrics: { dice: 0.66, iou: 0.55 } });
      expect(v.source).toMatch(/^mlflow-artifacts:\/\d+\/[0-9a-f]{32}\/artifacts\/model$/);
      const dest = join(work, `${model}-down`);
      await registry.downloadArtifacts(model, v.version, dest);
      for (const f of [
        'model.json',
        'weights.bin',
        'metrics.json',
        'refine/deeper/weights.bin',
        'name with spaces.txt',
      ]) {
        expect(await fsp.readFile(join(dest, f))).toEqual(await fsp.readFile(join(dir, f)));
      }
    });

    it('a champion registered by the seed (metrics on its run only) is read from its run', async () => {
      const model = uniqueModel('seeded');
      const { experiment_id } = await api<{ experiment_id: string }>('POST', 'experiments/create', { name: model });
      const { run } = await api<{ run: { info: { run_id: string; artifact_uri: string } } }>('POST', 'runs/create', {
        experiment_id,
        start_time: 1,
      });
      await api('POST', 'runs/log-batch', {
        run_id: run.info.run_id,
        metrics: [
          { key: 'val_dice', value: 0.71, timestamp: 1, step: 0 },
          { key: 'val_iou', value: 0.6, timestamp: 1, step: 0 },
        ],
      });
      await api('POST', 'registered-models/create', { name: model });
      await api('POST', 'model-versions/create', {
        name: model,
        source: `${run.info.artifact_uri}/model`,
        run_id: run.info.run_id,
      });
      await api('POST', 'model-versions/transition-stage', {
        name: model,
        version: '1',
        stage: 'Production',
        archive_existing_versions: true,
      });
      const champion = await backend({ mlflow: { style: 'stage' } }).registry.getChampion(model);
      expect(champion).toEqual(
        expect.objectContaining({ version: '1', metrics: { dice: 0.71, iou: 0.6 }, status: 'champion' }),
      );
    });
  });
});
