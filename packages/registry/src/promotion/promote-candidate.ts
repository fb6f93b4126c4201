import { formatNumber, type Logger } from '@wms/core';
import { ChampionChangedError } from '../errors';
import type { ModelRegistry, SegmentationMetrics } from '../types';
import { appendModelHistory, writeModelMetadata, type GithubRunInfo, type ModelMetadata } from './model-metadata';

export interface PromoteCandidateOptions {
  model: string;
  candidateModelDir: string;
  /** Tracking run that trained the candidate; its artifacts become the version's source. */
  runId?: string;
  /** The `champion-version` output of the quality gate (null: the gate saw no champion). */
  expectedChampionVersion: string | null;
  candidate: SegmentationMetrics;
  baseline: SegmentationMetrics;
  reason?: string;
  github?: GithubRunInfo;
  /** Where model-metadata.json and model-history.jsonl go; omitted: not written. */
  metadataDir?: string;
  trainingDataCount?: number;
  trainedAt?: string;
}

export interface PromoteCandidateDeps {
  registry: ModelRegistry;
  logger: Logger;
  now?: () => Date;
}

export interface PromotionResult {
  model: string;
  version: string;
  previousVersion: string | null;
  metadata: ModelMetadata;
  metadataPath: string | undefined;
  historyPath: string | undefined;
}

/** Who/what/why, recorded as tags on the promoted version. */
export function provenanceTags(options: PromoteCandidateOptions): Record<string, string> {
  const tags: Record<string, string> = {
    'wms.baseline.dice': String(options.baseline.dice),
    'wms.baseline.iou': String(options.baseline.iou),
  };
  if (options.runId) tags['wms.run_id'] = options.runId;
  if (options.reason) tags['wms.reason'] = options.reason.slice(0, 5000);
  const gh = options.github;
  if (gh?.sha) tags['wms.git_sha'] = gh.sha;
  if (gh?.pr !== undefined && gh.pr !== null) tags['wms.pr'] = String(gh.pr);
  if (gh?.id) tags['wms.github_run_id'] = gh.id;
  if (gh?.url) tags['wms.github_run_url'] = gh.url;
  if (gh?.actor) tags['wms.promoted_by'] = gh.actor;
  return tags;
}

/**
 * Registers the candidate and makes it the champion, unless the champion moved since the gate
 * ran: checked before registering (so a lost race leaves no orphan version) and again inside
 * the registry's promote (the local store does that under its lock).
 */
export async function promoteCandidate(
  options: PromoteCandidateOptions,
  deps: PromoteCandidateDeps,
): Promise<PromotionResult> {
  const now = (deps.now ?? (() => new Date()))();
  const current = (await deps.registry.getChampion(options.model))?.version ?? null;
  if (current !== options.expectedChampionVersion) {
    throw new ChampionChangedError(options.model, options.expectedChampionVersion, current);
  }
  const tags = provenanceTags(options);
  const registered = await deps.registry.registerVersion({
    model: options.model,
    artifactsDir: options.candidateModelDir,
    runId: options.runId,
    metrics: options.candidate,
    tags,
  });
  let record;
  try {
    record = await deps.registry.promote(options.model, registered.version, {
      expectedChampionVersion: options.expectedChampionVersion,
      tags,
    });
  } catch (error) {
    if (error instanceof ChampionChangedError) {
      deps.logger.warning(`Version ${registered.version} of ${options.model} stays registered but was not promoted.`);
    }
    throw error;
  }
  deps.logger.info(
    `${options.model} version ${record.version} is the champion (Dice ${formatNumber(options.candidate.dice)}, IoU ${formatNumber(options.candidate.iou)}); previous: ${record.previousVersion ?? 'none'}`,
  );
  const metadata: ModelMetadata = {
    version: record.version,
    run_id: options.runId ?? registered.runId ?? null,
    metrics: { dice: options.candidate.dice, iou: options.candidate.iou },
    baseline: { dice: options.baseline.dice, iou: options.baseline.iou },
    trained_at: options.trainedAt ?? now.toISOString(),
    training_data_count: options.trainingDataCount ?? null,
    github_run: {
      id: options.github?.id ?? null,
      url: options.github?.url ?? null,
      sha: options.github?.sha ?? null,
      pr: options.github?.pr ?? null,
    },
  };
  let metadataPath: string | undefined;
  let historyPath: string | undefined;
  if (options.metadataDir) {
    metadataPath = await writeModelMetadata(options.metadataDir, metadata);
    historyPath = await appendModelHistory(options.metadataDir, {
      ...metadata,
      model: options.model,
      promoted_at: now.toISOString(),
      previous_version: record.previousVersion,
      reason: options.reason ?? '',
    });
  }
  return {
    model: options.model,
    version: record.version,
    previousVersion: record.previousVersion,
    metadata,
    metadataPath,
    historyPath,
  };
}
