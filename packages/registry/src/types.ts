/**
 * The one tracking + registry interface that the local store and MLflow both implement, so the
 * quality gate, promotion, the actions and the CLI never know which backend they talk to.
 */
import type { RunTracker } from '@wms/core';

export interface SegmentationMetrics {
  dice: number;
  iou: number;
}

export interface StartRunOptions {
  experiment: string;
  runName?: string;
  tags?: Record<string, string>;
}

/** A tracked run that also says what did not reach the tracking server. */
export interface TrackedRun extends RunTracker {
  /**
   * Set when something later stages need (the model's artifacts) did not reach the server; the
   * run is then FAILED on the server and the stage must fail with this error.
   */
  readonly requiredFailure: Error | undefined;
  /** Best-effort logging that failed (per-epoch metrics, params, tags), for the closing report. */
  lost(): string[];
}

export interface TrackingStore {
  /** Creates the experiment when it does not exist yet, then a RUNNING run in it. */
  startRun(options: StartRunOptions): Promise<TrackedRun>;
}

/** One registered version of a model, as either backend reports it. */
export interface ModelVersionInfo {
  model: string;
  version: string;
  runId: string | undefined;
  /** Where the version's artifacts live (store path, mlflow-artifacts:/…, s3://…). */
  source: string;
  /** Metrics recorded when the version was registered; undefined when the backend has none. */
  metrics: SegmentationMetrics | undefined;
  tags: Record<string, string>;
  /** ISO timestamp. */
  createdAt: string;
  /** 'champion', 'archived' or 'registered' (never promoted). */
  status: 'champion' | 'archived' | 'registered';
}

/** The version currently serving production. */
export type ChampionInfo = ModelVersionInfo;

export interface RegisterVersionInput {
  model: string;
  /** Directory holding model.json, weights.bin and metrics.json. */
  artifactsDir: string;
  runId?: string;
  metrics: SegmentationMetrics;
  tags?: Record<string, string>;
}

export interface PromoteOptions {
  /**
   * The champion version the quality gate compared against (null: there was none). Promotion is
   * refused when the champion changed since, so a stale gate verdict can never promote.
   */
  expectedChampionVersion: string | null;
  /** Who/what/why, recorded on the promoted version. */
  tags?: Record<string, string>;
}

export interface PromotionRecord {
  model: string;
  version: string;
  previousVersion: string | null;
}

export interface ModelRegistry {
  /** Null when the model has no champion yet (first model ever): the gate's baseline is 0. */
  getChampion(model: string): Promise<ChampionInfo | null>;
  registerVersion(input: RegisterVersionInput): Promise<ModelVersionInfo>;
  /** Moves the champion to `version` and archives the previous one; throws ChampionChangedError. */
  promote(model: string, version: string, options: PromoteOptions): Promise<PromotionRecord>;
  /** Every registered version, oldest first. Empty when the model does not exist. */
  history(model: string): Promise<ModelVersionInfo[]>;
  /** Copies the version's artifacts into `destDir` (created) and returns it. */
  downloadArtifacts(model: string, version: string, destDir: string): Promise<string>;
}

export interface RegistryBackend {
  /** 'local' or 'mlflow', for logs and summaries. */
  kind: 'local' | 'mlflow';
  /** Human-readable location (store path or server URL without credentials). */
  location: string;
  /**
   * True for a local store inside a GitHub runner's workspace (asked for with `tracking-uri: local`):
   * it is deleted with the job, so summaries say that nothing persists.
   */
  ephemeral: boolean;
  tracking: TrackingStore;
  registry: ModelRegistry;
}

/** Tag keys under which both backends record metrics and provenance on a version. */
export const VERSION_TAGS = {
  dice: 'wms.metrics.dice',
  iou: 'wms.metrics.iou',
  status: 'wms.status',
  promotedAt: 'wms.promoted_at',
  archivedAt: 'wms.archived_at',
  replacedBy: 'wms.replaced_by',
} as const;

export function metricsFromTags(tags: Record<string, string>): SegmentationMetrics | undefined {
  const dice = Number(tags[VERSION_TAGS.dice]);
  const iou = Number(tags[VERSION_TAGS.iou]);
  if (tags[VERSION_TAGS.dice] === undefined || tags[VERSION_TAGS.iou] === undefined) return undefined;
  if (!Number.isFinite(dice) || !Number.isFinite(iou)) return undefined;
  return { dice, iou };
}

export function metricsToTags(metrics: SegmentationMetrics): Record<string, string> {
  return { [VERSION_TAGS.dice]: String(metrics.dice), [VERSION_TAGS.iou]: String(metrics.iou) };
}
