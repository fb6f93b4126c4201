import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { createMemoryLogger } from '@wms/core';
import { createRegistry } from '../src';
import {
  describeWithMlflowServer,
  makeModelDir,
  makeTempDir,
  startMlflowServer,
  type RunningMlflowServer,
} from '@wms/test-support';

// s3rver ships no types; this is the part of its API the test uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
};

let work: string;
let s3: InstanceType<typeof S3rver>;
let mlflow: RunningMlflowServer;
let endpoint: string;
const s3Env = () => ({
  MLFLOW_S3_ENDPOINT_URL: endpoint,
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
});

describeWithMlflowServer('a real MLflow server with an s3:// artifact root (s3rver)', () => {
  beforeAll(async () => {
    work = await makeTempDir();
    s3 = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: join(work, 's3'),
      configureBuckets: [{ name: 'mlflow' }],
    });
    const { port } = await s3.run();
    endpoint = `http://127.0.0.1:${port}`;
    // A real MLflow server without the artifact proxy: runs get s3:// artifact URIs.
    mlflow = await startMlflowServer({ defaultArtifactRoot: 's3://mlflow/mlruns', env: s3Env() });
  }, 90_000);

  afterAll(async () => {
    await mlflow?.stop();
    await s3?.close();
    await fsp.rm(work, { recursive: true, force: true });
  });

  it('registers a version with artifacts in S3 and downloads them back', async () => {
    const { registry, tracking } = createRegistry({
      trackingUri: mlflow.url,
      workdir: work,
      logger: createMemoryLogger(),
      env: s3Env(),
      mlflow: { attempts: 2, baseDelayMs: 1 },
    });
    const modelDir = await makeModelDir(work, 'model', { dice: 0.66, iou: 0.55 });
    await fsp.mkdir(join(modelDir, 'extra'), { recursive: true });
    await fsp.writeFile(join(modelDir, 'extra', 'notes.txt'), 'nested');

    const run = await tracking.startRun({ experiment: 'meters' });
    await run.logArtifacts(modelDir, 'checkpoint');
    const version = await registry.registerVersion({
      model: 'meter',
      artifactsDir: modelDir,
      runId: run.runId,
      metrics: { dice: 0.66, iou: 0.55 },
    });
    expect(version.source).toBe(`s3://mlflow/mlruns/1/${run.runId}/artifacts/model`);
    // The server saw the version; the bytes went straight to the bucket.
    // The server reads the same bucket (boto3): it lists what the client uploaded.
    const listed = await fetch(`${mlflow.url}/api/2.0/mlflow/artifacts/list?run_id=${run.runId}&path=model`);
    const log = listed.ok ? '' : (await mlflow.log()).slice(-1500);
    expect({ status: listed.status, log }).toEqual({ status: 200, log: '' });
    const { files } = (await listed.json()) as { files: Array<{ path: string }> };
    expect(files.map((f) => f.path).sort()).toEqual([
      'model/extra',
      'model/metrics.json',
      'model/model.json',
      'model/weights.bin',
    ]);

    const dest = join(work, 'dl');
    await registry.downloadArtifacts('meter', version.version, dest);
    expect(JSON.parse(await fsp.readFile(join(dest, 'model.json'), 'utf8')).quality).toEqual({ dice: 0.66, iou: 0.55 });
    expect(await fsp.readFile(join(dest, 'extra', 'notes.txt'), 'utf8')).toBe('nested');
    expect(await fsp.readFile(join(dest, 'weights.bin'))).toEqual(await fsp.readFile(join(modelDir, 'weights.bin')));
  });
});
