/**
 * A run whose model artifacts did not reach the tracking server must not look like a success:
 * the server answers 500 to every artifact upload (something a real server cannot be made to do
 * on demand, hence the fake), and the train stage fails with the reason, its run FAILED.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '@wms/core';
import { createRegistry } from '@wms/registry';
import { FakeMlflowServer, writeTinyDataset } from '@wms/test-support';
import { runTrainStage, type CreateTracker } from '../src/train-stage';

jest.setTimeout(120_000);

let workspace: string;
let server: FakeMlflowServer;

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'wms-train-tracking-'));
  await writeTinyDataset(join(workspace, 'data'), 10, 2);
  mkdirSync(join(workspace, 'WMS/configs'), { recursive: true });
  writeFileSync(
    join(workspace, 'WMS/configs/train.yaml'),
    'model: { input_size: 32, base_filters: 4, depth: 2 }\ntraining: { epochs: 2, learning_rate: 0.01, time_budget_sec: 20 }\n',
  );
  server = new FakeMlflowServer();
  await server.start();
});
afterAll(async () => {
  await server.stop();
  rmSync(workspace, { recursive: true, force: true });
});

// The same tracker the stage builds, with one attempt per request so the test does not wait on backoff.
const quickTracker: CreateTracker = (request) =>
  createRegistry({
    trackingUri: request.trackingUri,
    workdir: request.workspace,
    logger: request.logger,
    env: request.env,
    mlflow: { attempts: 1 },
  }).tracking.startRun({ experiment: request.experiment, tags: request.tags });

it('fails the stage and leaves the run FAILED when the artifact upload is refused', async () => {
  server.failNext({ method: 'PUT', path: '/api/2.0/mlflow-artifacts/artifacts/*', times: 100, status: 500 });
  const logger = createMemoryLogger();
  const stage = runTrainStage(
    {
      dataDir: 'data',
      outputDir: 'out',
      backend: 'wasm',
      trackingUri: server.url,
      experiment: 'meters',
      workspace,
      env: {},
    },
    { logger, createTracker: quickTracker },
  );
  await expect(stage).rejects.toThrow(
    /The artifacts of MLflow run [0-9a-f]{32} .* did not reach mlflow-artifacts:\/1\//,
  );
  const runs = [...server.runs.values()];
  expect(runs).toHaveLength(1);
  expect(runs[0]!.info.status).toBe('FAILED');
});
