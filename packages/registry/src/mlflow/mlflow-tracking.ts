import { describeFailure, UserError, type Logger } from '@wms/core';
import type { StartRunOptions, TrackedRun, TrackingStore } from '../types';
import type { ArtifactStore } from './artifact-store';
import { chunkLogBatch, toMlflowMetrics, type LogBatchBody } from './log-batch';
import { isAlreadyExists, isNotFound, type MlflowHttp } from './mlflow-http';
import { MLFLOW_API, recordToTags, type MlflowExperiment, type MlflowRun } from './mlflow-types';

/** Finds the experiment by name, creating it when missing (and re-reading if a parallel job won). */
export async function ensureExperiment(http: MlflowHttp, name: string): Promise<string> {
  const get = async (): Promise<string | null> => {
    try {
      const r = await http.call<{ experiment: MlflowExperiment }>({
        method: 'GET',
        path: MLFLOW_API.experimentGetByName,
        query: { experiment_name: name },
      });
      return r.experiment.experiment_id;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  };
  const existing = await get();
  if (existing !== null) return existing;
  try {
    const created = await http.call<{ experiment_id: string }>({
      method: 'POST',
      path: MLFLOW_API.experimentCreate,
      json: { name },
    });
    return created.experiment_id;
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    const raced = await get();
    if (raced === null) throw error;
    return raced;
  }
}

export async function createMlflowRun(
  http: MlflowHttp,
  options: StartRunOptions,
): Promise<{ runId: string; artifactUri: string }> {
  const experimentId = await ensureExperiment(http, options.experiment);
  const { run } = await http.call<{ run: MlflowRun }>({
    method: 'POST',
    path: MLFLOW_API.runCreate,
    json: {
      experiment_id: experimentId,
      run_name: options.runName,
      start_time: Date.now(),
      tags: recordToTags(options.tags),
    },
  });
  return { runId: run.info.run_id, artifactUri: run.info.artifact_uri ?? '' };
}

/**
 * A RunTracker over runs/log-batch, runs/update and the run's artifact URI.
 *
 * The model's artifacts are what later stages need: when their upload fails the run is marked
 * FAILED on the server at once (the trainer may swallow the error to keep its model), `end()`
 * refuses to report it FINISHED, and `requiredFailure` says why, for the stage to fail on.
 * Params, tags and per-epoch metrics stay best effort: what could not be logged is counted and
 * reported when the run ends.
 */
export function createMlflowRunTracker(
  http: MlflowHttp,
  artifacts: ArtifactStore,
  logger: Logger,
  run: { runId: string; artifactUri: string },
): TrackedRun {
  const lost: string[] = [];
  let requiredFailure: Error | undefined;
  let ended = false;
  const logBatch = async (batch: LogBatchBody, what: string): Promise<void> => {
    try {
      for (const chunk of chunkLogBatch(batch)) {
        await http.call({ method: 'POST', path: MLFLOW_API.runLogBatch, json: { run_id: run.runId, ...chunk } });
      }
    } catch (error) {
      lost.push(what);
      throw error;
    }
  };
  const update = (status: string): Promise<unknown> =>
    http.call({
      method: 'POST',
      path: MLFLOW_API.runUpdate,
      json: { run_id: run.runId, status, end_time: Date.now() },
    });
  const tracker: TrackedRun = {
    runId: run.runId,
    get requiredFailure() {
      return requiredFailure;
    },
    lost: () => [...lost],
    logParams: (params) =>
      logBatch(
        {
          metrics: [],
          tags: [],
          params: Object.entries(params).map(([key, value]) => ({ key, value: String(value) })),
        },
        'params',
      ),
    logMetrics: async (values, step) => {
      const { metrics, skipped } = toMlflowMetrics(values, step ?? 0, Date.now());
      if (skipped.length > 0) {
        logger.warning(`Not logging non-finite metric values to MLflow: ${skipped.join(', ')} (step ${step ?? 0}).`);
      }
      await logBatch(
        { metrics, params: [], tags: [] },
        step === undefined ? 'final metrics' : `metrics of step ${step}`,
      );
    },
    setTags: (tags) => logBatch({ metrics: [], params: [], tags: recordToTags(tags) }, 'tags'),
    logArtifacts: async (localDir, artifactPath) => {
      const base = run.artifactUri.replace(/\/+$/, '');
      const target = artifactPath ? `${base}/${artifactPath.replace(/^\/+/, '')}` : base;
      try {
        await artifacts.upload(localDir, target);
      } catch (error) {
        const failure = new UserError(
          `The artifacts of MLflow run ${run.runId} (${localDir}) did not reach ${target}: ${describeFailure(error).split('\n')[0]}`,
          {
            hint: 'The run is marked FAILED. Check the tracking server and its artifact store, then train again.',
            cause: error,
          },
        );
        requiredFailure ??= failure;
        await update('FAILED').then(
          () => (ended = true),
          (e: unknown) =>
            logger.warning(`Could not mark MLflow run ${run.runId} FAILED: ${describeFailure(e).split('\n')[0]}`),
        );
        throw failure;
      }
    },
    end: async (status) => {
      if (lost.length > 0) {
        logger.warning(`MLflow run ${run.runId}: could not log ${lost.join(', ')} (the run has gaps there).`);
      }
      if (requiredFailure) {
        if (!ended) await update('FAILED');
        ended = true;
        if (status === 'FINISHED') throw requiredFailure;
        return;
      }
      await update(status);
      ended = true;
    },
  };
  return tracker;
}

export function createMlflowTrackingStore(http: MlflowHttp, artifacts: ArtifactStore, logger: Logger): TrackingStore {
  return {
    async startRun(options) {
      const run = await createMlflowRun(http, options);
      logger.info(`MLflow run ${run.runId} started in experiment ${options.experiment}`);
      return createMlflowRunTracker(http, artifacts, logger, run);
    },
  };
}
