import { UserError } from '@wms/core';

/** MLflow's documented request limits for runs/log-batch. */
export const LOG_BATCH_LIMITS = {
  metrics: 1000,
  params: 100,
  tags: 100,
  total: 1000,
  paramValueChars: 6000,
  tagValueChars: 8000,
} as const;

export interface MlflowMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}
export interface MlflowKeyValue {
  key: string;
  value: string;
}
export interface LogBatchBody {
  metrics: MlflowMetric[];
  params: MlflowKeyValue[];
  tags: MlflowKeyValue[];
}

/**
 * Splits one logical batch into requests that each respect MLflow's limits, keeping order within
 * each kind (metrics of one step stay in logging order).
 */
export function chunkLogBatch(batch: LogBatchBody, limits = LOG_BATCH_LIMITS): LogBatchBody[] {
  for (const p of batch.params) {
    if (p.value.length > limits.paramValueChars) {
      throw new UserError(
        `Parameter ${JSON.stringify(p.key)} is ${p.value.length} characters long; MLflow accepts at most ${limits.paramValueChars}.`,
        { hint: 'Log long values as an artifact instead of a parameter.' },
      );
    }
  }
  for (const t of batch.tags) {
    if (t.value.length > limits.tagValueChars) {
      throw new UserError(
        `Tag ${JSON.stringify(t.key)} is ${t.value.length} characters long; MLflow accepts at most ${limits.tagValueChars}.`,
      );
    }
  }
  const chunks: LogBatchBody[] = [];
  const metrics = [...batch.metrics];
  const params = [...batch.params];
  const tags = [...batch.tags];
  while (metrics.length + params.length + tags.length > 0) {
    const p = params.splice(0, limits.params);
    const t = tags.splice(0, limits.tags);
    const room = Math.min(limits.metrics, limits.total - p.length - t.length);
    const m = metrics.splice(0, room);
    chunks.push({ metrics: m, params: p, tags: t });
  }
  return chunks;
}

/**
 * JSON has no NaN/Infinity (JSON.stringify turns them into null, which MLflow rejects), so
 * non-finite values are returned separately for the caller to report instead of failing the run.
 */
export function toMlflowMetrics(
  values: Record<string, number>,
  step: number,
  timestamp: number,
): { metrics: MlflowMetric[]; skipped: string[] } {
  const metrics: MlflowMetric[] = [];
  const skipped: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (Number.isFinite(value)) metrics.push({ key, value, timestamp, step });
    else skipped.push(key);
  }
  return { metrics, skipped };
}
