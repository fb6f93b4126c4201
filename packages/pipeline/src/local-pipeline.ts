/**
 * The whole pipeline on one machine, stage after stage, as the workflows run it on GitHub:
 * data-qa → train → quality gate → promote (only when the gate says the candidate is better).
 * Each stage's summary block is collected so the caller can show or write them.
 */
import { join, resolve } from 'node:path';
import type { Logger, ProgressFactory } from '@wms/core';
import type { QaReport } from '@wms/dataset';
import type { BackendPreference } from '@wms/model';
import { trainSummaryMarkdown } from '@wms/model';
import { renderGateSummary, type GatePolicy, type GateResult, type PromotionResult } from '@wms/registry';
import { runGateStage } from './gate-stage';
import { runPromoteStage } from './promote-stage';
import { runQaStage } from './qa-stage';
import {
  DEFAULT_REGISTRY_OPTIONS,
  openRegistry,
  registryEnv,
  registryNotice,
  type RegistryOptions,
} from './registry-options';
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
  /** Tracking URI, champion marker style and credentials, as the actions take them. */
  registry?: Partial<RegistryOptions>;
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
  const registryOptions: RegistryOptions = { ...DEFAULT_REGISTRY_OPTIONS, ...options.registry };
  // Opened first: a registry that cannot be used (no server on a runner) stops before training.
  const backend = openRegistry(registryOptions, { workspace, env: options.env, logger });

  const qaStage = await logger.group('data-qa', () =>
    runQaStage(
      { root: options.dataDir, workspace, reportDir: join('.wms', 'reports', options.runName) },
      { logger, progress: deps.progress?.() },
    ),
  );
  const qa = qaStage.report;
  summaries.push(qaStage.summary);
  if (qaStage.failure) return { qa, summaries, stoppedBecause: qaStage.failure };

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
        trackingUri: registryOptions.trackingUri,
        experiment: options.experiment ?? options.model,
        workspace,
        env: registryEnv(registryOptions, options.env),
      },
      deps,
    ),
  );
  summaries.push(trainSummaryMarkdown(train));

  const gate = await logger.group('quality-gate', () =>
    runGateStage(
      {
        model: options.model,
        candidateModelDir: train.modelDir,
        datasetDir: options.dataDir,
        workspace,
        config: options.config,
        policy: options.policy,
      },
      { registry: backend.registry, logger, progress: deps.progress, notice: registryNotice(backend) },
    ),
  );
  summaries.push(renderGateSummary(gate));
  if (!gate.improved) return { qa, train, gate, summaries, stoppedBecause: `Quality gate: ${gate.reason}` };

  const promotion = await logger.group('promote', () =>
    runPromoteStage(
      {
        model: options.model,
        candidateModelDir: train.modelDir,
        workspace,
        runId: train.runId,
        expectedChampionVersion: gate.championVersion,
        candidate: gate.candidate,
        baseline: gate.baseline,
        reason: gate.reason,
        metadataDir: '.',
      },
      { backend, logger },
    ),
  );
  summaries.push(promotion.summary);
  return { qa, train, gate, promotion, summaries };
}
