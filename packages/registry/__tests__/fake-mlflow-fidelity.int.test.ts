/**
 * The fake MLflow server must answer like the real one: the same script of requests goes to a
 * real MLflow 2.12.2 server and to FakeMlflowServer, and every answer's status, error_code and
 * JSON shape (keys and value types, recursively) must match, plus the values the client reads.
 */
import {
  describeWithMlflowServer,
  FakeMlflowServer,
  startMlflowServer,
  type RunningMlflowServer,
} from '@wms/test-support';

type Json = Record<string, unknown>;
interface Answer {
  status: number;
  contentType: string;
  json: Json | undefined;
  text: string;
}
interface Step {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: (ctx: Ctx) => string;
  body?: (ctx: Ctx) => unknown;
  /** Raw body for artifact uploads. */
  raw?: string;
  noContentType?: boolean;
  /** Values (not only shapes) that must agree; ids and timestamps differ by nature. */
  values?: (json: Json | undefined, text: string) => unknown;
  /** Remembers ids from the answer for later steps. */
  keep?: (json: Json, ctx: Ctx) => void;
}
interface Ctx {
  experimentId: string;
  runId: string;
  artifactPath: string;
}

const A = '/api/2.0/mlflow';
const ART = '/api/2.0/mlflow-artifacts/artifacts';
const MODEL = 'fidelity';
const q = (s: string): string => encodeURIComponent(s);
const errorOf = (j: Json | undefined): unknown => j?.error_code;

const STEPS: Step[] = [
  {
    name: 'experiment missing',
    method: 'GET',
    path: () => `${A}/experiments/get-by-name?experiment_name=fid`,
    values: errorOf,
  },
  {
    name: 'create experiment',
    method: 'POST',
    path: () => `${A}/experiments/create`,
    body: () => ({ name: 'fid' }),
    keep: (j, c) => void (c.experimentId = String(j.experiment_id)),
  },
  {
    name: 'create it again',
    method: 'POST',
    path: () => `${A}/experiments/create`,
    body: () => ({ name: 'fid' }),
    values: errorOf,
  },
  {
    name: 'experiment by name',
    method: 'GET',
    path: () => `${A}/experiments/get-by-name?experiment_name=fid`,
    values: (j) => (j?.experiment as Json).name,
  },
  {
    name: 'POST without Content-Type',
    method: 'POST',
    path: () => `${A}/experiments/create`,
    body: () => ({ name: 'other' }),
    noContentType: true,
    values: errorOf,
  },
  {
    name: 'create run',
    method: 'POST',
    path: () => `${A}/runs/create`,
    body: (c) => ({ experiment_id: c.experimentId, start_time: 1, run_name: 'r', tags: [{ key: 'a', value: 'b' }] }),
    keep: (j, c) => {
      const info = (j.run as { info: { run_id: string; artifact_uri: string } }).info;
      c.runId = info.run_id;
      c.artifactPath = info.artifact_uri.replace(/^mlflow-artifacts:\//, '');
    },
    values: (j) => {
      const info = (j?.run as { info: Json }).info;
      return [info.status, String(info.artifact_uri).replace(/[0-9a-z]{8,}/g, 'ID')];
    },
  },
  { name: 'run missing', method: 'GET', path: () => `${A}/runs/get?run_id=nope`, values: errorOf },
  {
    name: 'run in unknown experiment',
    method: 'POST',
    path: () => `${A}/runs/create`,
    body: () => ({ experiment_id: '99', start_time: 1 }),
    values: errorOf,
  },
  {
    name: 'log a batch',
    method: 'POST',
    path: () => `${A}/runs/log-batch`,
    body: (c) => ({
      run_id: c.runId,
      metrics: [
        { key: 'dice', value: 0.5, timestamp: 1, step: 0 },
        { key: 'dice', value: 0.6, timestamp: 2, step: 1 },
      ],
      params: [{ key: 'lr', value: '0.01' }],
      tags: [{ key: 'long', value: 'x'.repeat(5001) }],
    }),
  },
  {
    name: 'too many metrics',
    method: 'POST',
    path: () => `${A}/runs/log-batch`,
    body: (c) => ({
      run_id: c.runId,
      metrics: Array.from({ length: 1001 }, (_, i) => ({ key: `m${i}`, value: 1, timestamp: 1, step: 0 })),
    }),
    values: errorOf,
  },
  {
    name: 'run with its data (tag cut at 5000, latest metric per key)',
    method: 'GET',
    path: (c) => `${A}/runs/get?run_id=${c.runId}`,
    values: (j) => {
      const data = (j?.run as { data: { tags: Array<{ key: string; value: string }>; metrics: Json[] } }).data;
      const long = data.tags.find((t) => t.key === 'long')?.value.length;
      return { long, metrics: data.metrics.map((m) => [m.key, m.value, m.step]) };
    },
  },
  { name: 'upload an artifact', method: 'PUT', path: (c) => `${ART}/${c.artifactPath}/model/a.txt`, raw: 'hello' },
  {
    name: 'list the run root',
    method: 'GET',
    path: (c) => `${ART}?path=${q(c.artifactPath)}`,
    values: (j) => j?.files,
  },
  {
    name: 'list a folder',
    method: 'GET',
    path: (c) => `${ART}?path=${q(`${c.artifactPath}/model`)}`,
    values: (j) => j?.files,
  },
  { name: 'list a missing folder', method: 'GET', path: () => `${ART}?path=nope/x`, values: (j) => j },
  {
    name: 'download the artifact',
    method: 'GET',
    path: (c) => `${ART}/${c.artifactPath}/model/a.txt`,
    values: (_, t) => t,
  },
  {
    name: 'download a missing artifact',
    method: 'GET',
    path: (c) => `${ART}/${c.artifactPath}/model/missing.txt`,
    values: errorOf,
  },
  {
    name: 'alias of a missing model',
    method: 'GET',
    path: () => `${A}/registered-models/alias?name=${MODEL}&alias=champion`,
    values: (j) => [j?.error_code, j?.message],
  },
  {
    name: 'latest versions of a missing model',
    method: 'POST',
    path: () => `${A}/registered-models/get-latest-versions`,
    body: () => ({ name: MODEL, stages: ['Production'] }),
    values: errorOf,
  },
  {
    name: 'search versions of a missing model',
    method: 'GET',
    path: () => `${A}/model-versions/search?filter=${q(`name='${MODEL}'`)}&max_results=200`,
    values: (j) => j,
  },
  { name: 'missing model', method: 'GET', path: () => `${A}/registered-models/get?name=${MODEL}`, values: errorOf },
  {
    name: 'create model',
    method: 'POST',
    path: () => `${A}/registered-models/create`,
    body: () => ({ name: MODEL }),
  },
  {
    name: 'create model again',
    method: 'POST',
    path: () => `${A}/registered-models/create`,
    body: () => ({ name: MODEL }),
    values: errorOf,
  },
  {
    name: 'missing alias of an existing model',
    method: 'GET',
    path: () => `${A}/registered-models/alias?name=${MODEL}&alias=champion`,
    values: (j) => [j?.error_code, j?.message],
  },
  {
    name: 'latest versions, none yet',
    method: 'POST',
    path: () => `${A}/registered-models/get-latest-versions`,
    body: () => ({ name: MODEL, stages: ['Production'] }),
    values: (j) => j,
  },
  {
    name: 'create version 1',
    method: 'POST',
    path: () => `${A}/model-versions/create`,
    body: (c) => ({
      name: MODEL,
      source: `mlflow-artifacts:/${c.artifactPath}/model`,
      run_id: c.runId,
      tags: [{ key: 'wms.status', value: 'registered' }],
    }),
    values: (j) => {
      const mv = j?.model_version as Json;
      return [mv.version, mv.current_stage, mv.status, mv.tags, mv.aliases];
    },
  },
  {
    name: 'version tag over 5000 characters',
    method: 'POST',
    path: () => `${A}/model-versions/create`,
    body: (c) => ({
      name: MODEL,
      source: `mlflow-artifacts:/${c.artifactPath}/model`,
      tags: [{ key: 't', value: 'y'.repeat(5001) }],
    }),
    values: errorOf,
  },
  { name: 'get version 1', method: 'GET', path: () => `${A}/model-versions/get?name=${MODEL}&version=1` },
  {
    name: 'missing version',
    method: 'GET',
    path: () => `${A}/model-versions/get?name=${MODEL}&version=9`,
    values: errorOf,
  },
  {
    name: 'set a version tag',
    method: 'POST',
    path: () => `${A}/model-versions/set-tag`,
    body: () => ({ name: MODEL, version: '1', key: 'k', value: 'v' }),
  },
  {
    name: 'set a too long version tag',
    method: 'POST',
    path: () => `${A}/model-versions/set-tag`,
    body: () => ({ name: MODEL, version: '1', key: 'k', value: 'v'.repeat(5001) }),
    values: errorOf,
  },
  {
    name: 'alias to a missing version',
    method: 'POST',
    path: () => `${A}/registered-models/alias`,
    body: () => ({ name: MODEL, alias: 'champion', version: '7' }),
    values: errorOf,
  },
  {
    name: 'set the alias',
    method: 'POST',
    path: () => `${A}/registered-models/alias`,
    body: () => ({ name: MODEL, alias: 'champion', version: '1' }),
  },
  {
    name: 'read the alias',
    method: 'GET',
    path: () => `${A}/registered-models/alias?name=${MODEL}&alias=champion`,
    values: (j) => {
      const mv = j?.model_version as Json;
      return [mv.version, mv.aliases];
    },
  },
  {
    name: 'create version 2',
    method: 'POST',
    path: () => `${A}/model-versions/create`,
    body: (c) => ({ name: MODEL, source: `mlflow-artifacts:/${c.artifactPath}/model`, run_id: c.runId }),
  },
  {
    name: 'version 1 to Production',
    method: 'POST',
    path: () => `${A}/model-versions/transition-stage`,
    body: () => ({ name: MODEL, version: '1', stage: 'Production', archive_existing_versions: true }),
    values: (j) => (j?.model_version as Json).current_stage,
  },
  {
    name: 'version 2 to Production, archiving 1',
    method: 'POST',
    path: () => `${A}/model-versions/transition-stage`,
    body: () => ({ name: MODEL, version: '2', stage: 'Production', archive_existing_versions: true }),
  },
  {
    name: 'a stage that does not exist',
    method: 'POST',
    path: () => `${A}/model-versions/transition-stage`,
    body: () => ({ name: MODEL, version: '2', stage: 'Prod', archive_existing_versions: true }),
    values: errorOf,
  },
  {
    name: 'latest Production version',
    method: 'POST',
    path: () => `${A}/registered-models/get-latest-versions`,
    body: () => ({ name: MODEL, stages: ['Production'] }),
    values: (j) => (j?.model_versions as Json[]).map((v) => [v.version, v.current_stage]),
  },
  {
    name: 'search versions',
    method: 'GET',
    path: () => `${A}/model-versions/search?filter=${q(`name='${MODEL}'`)}&max_results=200`,
    values: (j) => (j?.model_versions as Json[]).map((v) => [v.version, v.current_stage, v.aliases ?? null]),
  },
  {
    name: 'registered model with aliases',
    method: 'GET',
    path: () => `${A}/registered-models/get?name=${MODEL}`,
    values: (j) => (j?.registered_model as Json).aliases,
  },
  {
    name: 'finish the run',
    method: 'POST',
    path: () => `${A}/runs/update`,
    body: (c) => ({ run_id: c.runId, status: 'FINISHED', end_time: 2 }),
    values: (j) => (j?.run_info as Json).status,
  },
  {
    // MLflow reads a DELETE's parameters from a JSON body, not the query.
    name: 'delete the alias with query parameters',
    method: 'DELETE',
    path: () => `${A}/registered-models/alias?name=${MODEL}&alias=champion`,
    values: (j) => [j?.error_code, j?.message],
  },
  {
    name: 'delete the alias',
    method: 'DELETE',
    path: () => `${A}/registered-models/alias`,
    body: () => ({ name: MODEL, alias: 'champion' }),
    values: (j) => j,
  },
  {
    name: 'the deleted alias is gone',
    method: 'GET',
    path: () => `${A}/registered-models/alias?name=${MODEL}&alias=champion`,
    values: (j) => [j?.error_code, j?.message],
  },
  {
    name: 'update a missing run',
    method: 'POST',
    path: () => `${A}/runs/update`,
    body: () => ({ run_id: 'f'.repeat(32), status: 'FAILED' }),
    values: errorOf,
  },
  { name: 'unknown API path (HTML)', method: 'GET', path: () => `${A}/no-such-endpoint`, values: (j) => j },
  {
    name: 'wrong base path (HTML)',
    method: 'GET',
    path: () => `/mlflow${A}/registered-models/alias?name=m&alias=c`,
    values: (j) => j,
  },
];

/** Keys and value types, recursively; arrays by the union of their elements' shapes. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) {
    const shapes = [...new Set(value.map((v) => JSON.stringify(shapeOf(v))))].sort();
    return { array: shapes.map((s) => JSON.parse(s) as unknown) };
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, shapeOf((value as Json)[k])]),
    );
  }
  return value === null ? 'null' : typeof value;
}

async function play(
  baseUrl: string,
): Promise<Array<{ step: string; status: number; json: boolean; shape: unknown; values: unknown }>> {
  const ctx: Ctx = { experimentId: '', runId: '', artifactPath: '' };
  const out = [];
  for (const step of STEPS) {
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (step.raw !== undefined) {
      headers['Content-Type'] = 'application/octet-stream';
      body = step.raw;
    } else if (step.body) {
      if (!step.noContentType) headers['Content-Type'] = 'application/json';
      body = JSON.stringify(step.body(ctx));
    }
    const r = await fetch(baseUrl + step.path(ctx), { method: step.method, headers, body });
    const text = await r.text();
    const answer: Answer = {
      status: r.status,
      contentType: r.headers.get('content-type') ?? '',
      json: undefined,
      text,
    };
    if (answer.contentType.includes('application/json')) answer.json = JSON.parse(text) as Json;
    if (answer.json && r.ok) step.keep?.(answer.json, ctx);
    out.push({
      step: step.name,
      status: answer.status,
      json: answer.json !== undefined,
      // Error messages are compared through `values` where the client reads them.
      shape: answer.json && !r.ok ? Object.keys(answer.json).sort() : shapeOf(answer.json ?? null),
      values: step.values?.(answer.json, text),
    });
  }
  return out;
}

describeWithMlflowServer('FakeMlflowServer answers like MLflow 2.12.2', () => {
  let real: RunningMlflowServer;
  let fake: FakeMlflowServer;

  beforeAll(async () => {
    real = await startMlflowServer();
    fake = new FakeMlflowServer();
    await fake.start();
  }, 90_000);

  afterAll(async () => {
    await real?.stop();
    await fake?.stop();
  });

  it('gives the same status, error code, JSON shape and values for every step of the script', async () => {
    const fromReal = await play(real.url);
    const fromFake = await play(fake.url);
    expect(fromReal.map((r) => r.step)).toEqual(STEPS.map((s) => s.name));
    // One list of every difference, so a fake that drifts shows all of it at once.
    const differences = fromReal.flatMap((r, i) => {
      const f = fromFake[i]!;
      return (['status', 'json', 'shape', 'values'] as const)
        .filter((k) => JSON.stringify(f[k]) !== JSON.stringify(r[k]))
        .map((k) => `${r.step}: ${k} real ${JSON.stringify(r[k])} fake ${JSON.stringify(f[k])}`);
    });
    expect(differences).toEqual([]);
  });
});
