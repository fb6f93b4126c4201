/**
 * Shapes shared across stages, kept here so packages can meet without depending on each other:
 * the model package logs through a RunTracker that the registry package implements, and the
 * quality gate consumes the EvaluationResult that the model package's `evaluate` produces.
 */

export type RunStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';

/** One training run's tracking surface (MLflow run, or the local store's run). */
export interface RunTracker {
  readonly runId: string;
  logParams(params: Record<string, string | number | boolean>): Promise<void>;
  /** Metrics of one step (epoch); `step` is the epoch index. */
  logMetrics(metrics: Record<string, number>, step?: number): Promise<void>;
  setTags(tags: Record<string, string>): Promise<void>;
  /** Uploads every file under `localDir` to the run's artifacts under `artifactPath`. */
  logArtifacts(localDir: string, artifactPath?: string): Promise<void>;
  end(status: Exclude<RunStatus, 'RUNNING'>): Promise<void>;
}

export interface ImageScore {
  id: string;
  dice: number;
  iou: number;
}

/** What `evaluate(model, pairs)` returns; the gate compares two of these. */
export interface EvaluationResult {
  perImage: ImageScore[];
  mean: { dice: number; iou: number };
  count: number;
  /** Threshold applied to the sigmoid output. */
  threshold: number;
}

/** A RunTracker that keeps everything in memory, for tests and dry runs. */
export interface MemoryRunTracker extends RunTracker {
  readonly params: Record<string, string | number | boolean>;
  readonly metrics: Array<{ step: number | undefined; values: Record<string, number> }>;
  readonly tags: Record<string, string>;
  readonly artifacts: Array<{ localDir: string; artifactPath: string | undefined }>;
  status: RunStatus;
}

export function createMemoryRunTracker(runId = 'memory-run'): MemoryRunTracker {
  const tracker: MemoryRunTracker = {
    runId,
    params: {},
    metrics: [],
    tags: {},
    artifacts: [],
    status: 'RUNNING',
    logParams: async (p) => void Object.assign(tracker.params, p),
    logMetrics: async (values, step) => void tracker.metrics.push({ step, values: { ...values } }),
    setTags: async (t) => void Object.assign(tracker.tags, t),
    logArtifacts: async (localDir, artifactPath) => void tracker.artifacts.push({ localDir, artifactPath }),
    end: async (status) => {
      tracker.status = status;
    },
  };
  return tracker;
}
