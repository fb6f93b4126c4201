import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeJsonAtomic, type RunStatus } from '@wms/core';
import type { StartRunOptions, TrackedRun, TrackingStore } from '../types';
import { assertSafeName, listFilesRecursive, type LocalStoreLayout } from './local-paths';

export interface LocalRunRecord {
  runId: string;
  experiment: string;
  runName: string | undefined;
  status: RunStatus;
  startTime: string;
  endTime: string | undefined;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Array<{ key: string; value: number; step: number; timestamp: number }>;
}

export async function readLocalRun(layout: LocalStoreLayout, runId: string): Promise<LocalRunRecord> {
  return JSON.parse(await fsp.readFile(layout.runFile(runId), 'utf8')) as LocalRunRecord;
}

/**
 * A run in the local store. Only its own process writes a run, so each change rewrites run.json
 * atomically; a promise chain keeps this process's updates in order.
 */
function createLocalRunTracker(layout: LocalStoreLayout, record: LocalRunRecord): TrackedRun {
  let chain: Promise<void> = Promise.resolve();
  let requiredFailure: Error | undefined;
  const update = (change: () => void | Promise<void>): Promise<void> => {
    const next = chain.then(async () => {
      await change();
      await writeJsonAtomic(layout.runFile(record.runId), record);
    });
    chain = next.catch(() => undefined); // one failed update must not block the later ones
    return next;
  };
  return {
    runId: record.runId,
    get requiredFailure() {
      return requiredFailure;
    },
    lost: () => [],
    logParams: (params) =>
      update(() => {
        for (const [k, v] of Object.entries(params)) record.params[k] = String(v);
      }),
    logMetrics: (metrics, step) =>
      update(() => {
        const timestamp = Date.now();
        for (const [key, value] of Object.entries(metrics))
          record.metrics.push({ key, value, step: step ?? 0, timestamp });
      }),
    setTags: (tags) => update(() => void Object.assign(record.tags, tags)),
    logArtifacts: (localDir, artifactPath) =>
      update(async () => {
        const target = join(layout.runDir(record.runId), 'artifacts', artifactPath ?? '');
        for (const file of await listFilesRecursive(localDir)) {
          await fsp.mkdir(join(target, file, '..'), { recursive: true });
          await fsp.copyFile(join(localDir, file), join(target, file));
        }
      }).catch((error: unknown) => {
        requiredFailure ??= error instanceof Error ? error : new Error(String(error));
        throw error;
      }),
    end: (status) =>
      update(() => {
        record.status = requiredFailure ? 'FAILED' : status;
        record.endTime = new Date().toISOString();
      }).then(() => {
        if (requiredFailure && status === 'FINISHED') throw requiredFailure;
      }),
  };
}

export function createLocalTrackingStore(layout: LocalStoreLayout): TrackingStore {
  return {
    async startRun(options: StartRunOptions): Promise<TrackedRun> {
      assertSafeName('experiment name', options.experiment);
      const runId = `${Date.now().toString(36)}-${randomBytes(5).toString('hex')}`;
      const record: LocalRunRecord = {
        runId,
        experiment: options.experiment,
        runName: options.runName,
        status: 'RUNNING',
        startTime: new Date().toISOString(),
        endTime: undefined,
        params: {},
        tags: { ...options.tags },
        metrics: [],
      };
      await writeJsonAtomic(layout.runFile(runId), record);
      return createLocalRunTracker(layout, record);
    },
  };
}
