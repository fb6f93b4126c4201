import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeJsonAtomic, type RunStatus, type RunTracker } from '@wms/core';
import type { StartRunOptions, TrackingStore } from '../types';
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
function createLocalRunTracker(layout: LocalStoreLayout, record: LocalRunRecord): RunTracker {
  let chain: Promise<void> = Promise.resolve();
  const update = (change: () => void | Promise<void>): Promise<void> => {
    chain = chain.then(async () => {
      await change();
      await writeJsonAtomic(layout.runFile(record.runId), record);
    });
    return chain;
  };
  return {
    runId: record.runId,
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
      }),
    end: (status) =>
      update(() => {
        record.status = status;
        record.endTime = new Date().toISOString();
      }),
  };
}

export function createLocalTrackingStore(layout: LocalStoreLayout): TrackingStore {
  return {
    async startRun(options: StartRunOptions): Promise<RunTracker> {
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
