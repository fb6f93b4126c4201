/**
 * The whole pipeline on one machine, stage after stage, as the workflows run it on GitHub:
 * data-qa → train → quality gate → promote (only when the gate says the candidate is better).
 * Each stage's summary block is collected so the caller can show or write them.
 */
import { join, resolve } from 'node:path';
import type { Logger, ProgressFactory } from '@wms/core';
import { describeQaFailure, renderQaMarkdown, validateDataset, writeQaReports, type QaReport } from '@wms/dataset';
import type { BackendPreference } from '@wms/model';
import { trainSummaryMarkdown } from '@wms/model';
import {
  createRegistry,
  promoteCandidate,
  readCandidateRecord,
  renderGateSummary,
  renderPromotionSummary,
  type GatePolicy,
  type GateResult,
  type PromotionResult,
} from '@wms/registry';
import { runGateStage } from './gate-stage';
import { runTrainStage, type TrainStageResult } from './train-stage';

export interface LocalPipelineOptions {
  /** Where data, runs, the local registry and model-metadata.json live. */
  workspace: string;
  /** Dataset root relative to the workspace (images/ + masks/ or WMS/data/training/...). */
  dataDir: string;
  config?: string;
  backend?: BackendPreference;
  timeBudgetSec?: number;
  seed?: number;
  model: string;
  trackingUri?: string;
  experiment?: string;
  policy?: Partial<GatePolicy>;
  /** Name of this run's folder under <workspace>/.wms/runs. */
  runName: string;
  env: NodeJS.ProcessEnv;
}

export interface LocalPipelineResult {
  qa: QaReport;
  train?: TrainStageResult;
  gate?: GateResult;
  promotion?: PromotionResult;
  /** Why the pipeline stopped early or did not promote; undefined when a model was promoted. */
  stoppedBecause?: string;
  summaries: string[];
}

export async function runLocalPipeline(
  options: LocalPipelineOptions,
  deps: { logger: Logger; progress?: ProgressFactory },
): Promise<LocalPipelineResult> {
  const { logger } = deps;
  const workspace = resolve(options.workspace);
  const summaries: string[] = [];

  const qa = await logger.group('data-qa', async () => {
    const report = await validateDataset(
      { root: resolve(workspace, options.dataDir), annotationBase: workspace },
      { logger, progress: deps.progress?.() },
    );
    await writeQaReports(report, join(workspace, '.wms', 'reports', options.runName));
    return report;
  });
  summaries.push(renderQaMarkdown(qa));
  if (!qa.valid) return { qa, summaries, stoppedBecause: describeQaFailure(qa) };

  const runDir = join(workspace, '.wms', 'runs', options.runName);
  const train = await logger.group('train', () =>
    runTrainStage(
      {
        dataDir: options.dataDir,
        config: options.config,
        outputDir: runDir,
        backend: options.backend,
        timeBudgetSec: options.timeBudgetSec,
        seed: options.seed,
        trackingUri: options.trackingUri,
        experiment: options.experiment ?? options.model,
        workspace,
        env: options.env,
      },
      deps,
    ),
  );
  summaries.push(trainSummaryMarkdown(train));

  const backend = createRegistry({ trackingUri: options.trackingUri, workdir: workspace, logger, env: options.env });
  const gate = await logger.group('quality-gate', () =>
    runGateStage(
      {
        model: options.model,
        candidateModelDir: train.modelDir,
        datasetDir: options.dataDir,
        workspace,
        policy: options.policy,
      },
      { registry: backend.registry, logger, progress: deps.progress },
    ),
  );
  summaries.push(renderGateSummary(gate));
  if (!gate.improved) return { qa, train, gate, summaries, stoppedBecause: `Quality gate: ${gate.reason}` };

  const record = await readCandidateRecord(train.modelDir, { requireSplit: false });
  const promotion = await logger.group('promote', () =>
    promoteCandidate(
      {
        model: options.model,
        candidateModelDir: train.modelDir,
        runId: train.runId,
        expectedChampionVersion: gate.championVersion,
        candidate: gate.candidate,
        baseline: gate.baseline,
        reason: gate.reason,
        metadataDir: workspace,
        trainingDataCount: record.trainCount,
        trainedAt: record.createdAt,
      },
      { registry: backend.registry, logger },
    ),
  );
  summaries.push(renderPromotionSummary(promotion, backend.location));
  return { qa, train, gate, promotion, summaries };
}
