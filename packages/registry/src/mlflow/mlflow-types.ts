/**
 * The JSON shapes of MLflow's REST API 2.0 that WMS Pipeline reads (service.proto and
 * model_registry.proto, snake_case as on the wire). int64 fields may arrive as strings.
 */

export interface MlflowTag {
  key: string;
  value: string;
}

export interface MlflowExperiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage?: string;
}

export interface MlflowRunInfo {
  run_id: string;
  experiment_id: string;
  run_name?: string;
  status?: string;
  artifact_uri?: string;
}

export interface MlflowRun {
  info: MlflowRunInfo;
  data?: { metrics?: Array<{ key: string; value: number }>; params?: MlflowTag[]; tags?: MlflowTag[] };
}

export interface MlflowModelVersion {
  name: string;
  version: string;
  creation_timestamp?: number | string;
  current_stage?: string;
  source?: string;
  run_id?: string;
  status?: string;
  tags?: MlflowTag[];
  aliases?: string[];
}

export interface MlflowRegisteredModel {
  name: string;
  latest_versions?: MlflowModelVersion[];
  aliases?: Array<{ alias: string; version: string }>;
  tags?: MlflowTag[];
}

export const MLFLOW_API = {
  experimentGetByName: '/api/2.0/mlflow/experiments/get-by-name',
  experimentCreate: '/api/2.0/mlflow/experiments/create',
  runCreate: '/api/2.0/mlflow/runs/create',
  runGet: '/api/2.0/mlflow/runs/get',
  runUpdate: '/api/2.0/mlflow/runs/update',
  runLogBatch: '/api/2.0/mlflow/runs/log-batch',
  registeredModelCreate: '/api/2.0/mlflow/registered-models/create',
  registeredModelGet: '/api/2.0/mlflow/registered-models/get',
  latestVersions: '/api/2.0/mlflow/registered-models/get-latest-versions',
  alias: '/api/2.0/mlflow/registered-models/alias',
  versionCreate: '/api/2.0/mlflow/model-versions/create',
  versionGet: '/api/2.0/mlflow/model-versions/get',
  versionSearch: '/api/2.0/mlflow/model-versions/search',
  versionSetTag: '/api/2.0/mlflow/model-versions/set-tag',
  versionTransitionStage: '/api/2.0/mlflow/model-versions/transition-stage',
} as const;

export function tagsToRecord(tags: MlflowTag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.key, t.value]));
}

export function recordToTags(record: Record<string, string> | undefined): MlflowTag[] {
  return Object.entries(record ?? {}).map(([key, value]) => ({ key, value }));
}
