import { UserError } from '@wms/core';

/**
 * MLflow's request limits for runs/log-batch, and what the server stores: MLflow 2.12 cuts run
 * param values at 6000 and tag values at 5000 characters without an error (mlflow/utils/validation.py,
 * MLFLOW_TRUNCATE_LONG_VALUES is on by default) and refuses model-version tags over 5000, so the
 * client refuses anything longer before sending it.
 */
export const LOG_BATCH_LIMITS = {
  metrics: 1000,
  params: 100,
  tags: 100,
  total: 1000,
  paramValueChars: 6000,
  tagValueChars: 5000,
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

/** Refuses a tag value the server would cut (run tags) or refuse after an upload (version tags). */
export function checkTagValues(tags: Record<string, string>, maxChars: number = LOG_BATCH_LIMITS.tagValueChars): void {
  for (const [key, value] of Object.entries(tags)) {
    if (value.length > maxChars) {
      throw new UserError(
        `Tag ${JSON.stringify(key)} is ${value.length} characters long; MLflow stores at most ${maxChars}.`,
        { hint: 'Shorten the value, or log it as an artifact instead of a tag.' },
      );
    }
  }
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
  checkTagValues(Object.fromEntries(batch.tags.map((t) => [t.key, t.value])), limits.tagValueChars);
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
