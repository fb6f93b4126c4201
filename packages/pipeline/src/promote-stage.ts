/**
 * The promote stage as the action, the CLI and the local pipeline run it: read the candidate's
 * record, register it and move the champion (refused when the champion moved since the gate),
 * write model-metadata.json, and return the stage's summary block.
 */
import { resolve } from 'node:path';
import type { Logger } from '@wms/core';
import {
  promoteCandidate,
  readCandidateRecord,
  renderPromotionSummary,
  type GithubRunInfo,
  type PromotionResult,
  type RegistryBackend,
  type SegmentationMetrics,
} from '@wms/registry';
import { registryNotice } from './registry-options';

export interface PromoteStageOptions {
  model: string;
  /** The gated candidate's model folder, relative to the workspace. */
  candidateModelDir: string;
  workspace: string;
  /** Tracking run of the candidate; default: the run id in its metrics.json, if any. */
  runId?: string;
  /** The gate's champion version (null: it saw none). */
  expectedChampionVersion: string | null;
  candidate: SegmentationMetrics;
  baseline: SegmentationMetrics;
  reason?: string;
  github?: GithubRunInfo;
  /** Folder for model-metadata.json and model-history.jsonl, relative to the workspace; omitted: not written. */
  metadataDir?: string;
}

export interface PromoteStageResult extends PromotionResult {
  summary: string;
}

export async function runPromoteStage(
  options: PromoteStageOptions,
  deps: { backend: RegistryBackend; logger: Logger },
): Promise<PromoteStageResult> {
  const candidateModelDir = resolve(options.workspace, options.candidateModelDir);
  const record = await readCandidateRecord(candidateModelDir, { requireSplit: false });
  const result = await promoteCandidate(
    {
      model: options.model,
      candidateModelDir,
      runId: options.runId || record.runId || undefined,
      expectedChampionVersion: options.expectedChampionVersion,
      candidate: options.candidate,
      baseline: options.baseline,
      reason: options.reason,
      github: options.github,
      metadataDir: options.metadataDir === undefined ? undefined : resolve(options.workspace, options.metadataDir),
      trainingDataCount: record.trainCount,
      trainedAt: record.createdAt,
    },
    { registry: deps.backend.registry, logger: deps.logger },
  );
  const notice = registryNotice(deps.backend);
  const summary = renderPromotionSummary(result, deps.backend.location);
  return { ...result, summary: notice ? `${summary}\n\n> ⚠️ ${notice}` : summary };
}
