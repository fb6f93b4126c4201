/**
 * The whole pipeline on one machine, stage after stage, as the workflows run it on GitHub:
 * data-qa → train → quality gate → promote (only when the gate says the candidate is better).
 * Each stage is the same function its action calls; its summary block is collected, and each
 * stage leaves one row (result, duration, metrics) for the closing table. The GitHub-only stages
 * run through their real stage functions on a dry-run client when one is given (nothing is sent;
 * every request is printed), and start/stop-infra say what they would do.
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { formatNumber, mdTable, type Logger, type ProgressFactory } from '@wms/core';
import type { QaReport } from '@wms/dataset';
import { DryRunGitHubClient, type GitHubClient } from '@wms/github';
import type { BackendPreference } from '@wms/model';
import { trainSummaryMarkdown } from '@wms/model';
import { renderGateSummary, type GatePolicy, type PromotionResult } from '@wms/registry';
import { runAutoMergeStage } from './auto-merge-stage';
import { runDataPrStage } from './data-pr-stage';
import { runGateStage, type GateStageResult } from './gate-stage';
import { runPromoteStage } from './promote-stage';
import { runQaStage } from './qa-stage';
import {
  DEFAULT_REGISTRY_OPTIONS,
  openRegistry,
  registryEnv,
  registryNotice,
  type RegistryOptions,
} from './registry-options';
import { runResultsCommentStage } from './results-comment-stage';
import { runTrainStage, type TrainStageResult } from './train-stage';

/** The GitHub side of a local run: a dry-run client and the data branch the push would have made. */
export interface GitHubDryRun {
  client: GitHubClient;
  /** The data branch a `wms data push` would have created (data/…). */
  branch: string;
  base: string;
  headSha: string;
  branchPrefix: string;
}

function gitOutput(dir: string, args: string[]): string | undefined {
  try {
    return (
      execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/**
 * The GitHub side of a laptop run: a dry-run client on $GITHUB_REPOSITORY (else a placeholder
 * repository), the checkout's HEAD as the trained commit (zeros outside a git checkout).
 */
export function localGitHubDryRun(
  workspace: string,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  branch: string,
): GitHubDryRun {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  return {
    client: new DryRunGitHubClient(
      owner && repo ? { owner, repo } : { owner: 'your-org', repo: 'wms-pipeline' },
      logger,
    ),
    branch,
    base: 'main',
    headSha: gitOutput(workspace, ['rev-parse', 'HEAD']) ?? '0'.repeat(40),
    branchPrefix: 'data/',
  };
}

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
  /** Run the GitHub-only stages on this (dry-run) client; without it they are listed as "would …". */
  github?: GitHubDryRun;
  env: NodeJS.ProcessEnv;
}

/** One row of the closing table. */
export interface StageRecord {
  stage: string;
  result: string;
  durationMs: number;
  metrics: string;
}

export interface LocalPipelineResult {
  qa: QaReport;
  train?: TrainStageResult;
  gate?: GateStageResult;
  promotion?: PromotionResult;
  /** Why the pipeline stopped early or did not promote; undefined when a model was promoted. */
  stoppedBecause?: string;
  summaries: string[];
  stages: StageRecord[];
  /** What was written where (label → absolute path or URL). */
  outputs: Array<[string, string]>;
  /** The registry the run used (kind and location). */
  registry: { kind: string; location: string };
}

const dice = (m: { dice: number; iou: number }): string => `Dice ${formatNumber(m.dice)}, IoU ${formatNumber(m.iou)}`;

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** The closing table: one row per stage, in order. */
export function renderStageTable(stages: StageRecord[]): string {
  return mdTable(
    ['stage', 'result', 'duration', 'metrics'],
    stages.map((s) => [s.stage, s.result, s.durationMs >= 0 ? formatDuration(s.durationMs) : '—', s.metrics || '—']),
  );
}

export async function runLocalPipeline(
  options: LocalPipelineOptions,
  deps: { logger: Logger; progress?: ProgressFactory },
): Promise<LocalPipelineResult> {
  const { logger } = deps;
  const workspace = resolve(options.workspace);
  const summaries: string[] = [];
  const stages: StageRecord[] = [];
  const outputs: Array<[string, string]> = [];
  const registryOptions: RegistryOptions = { ...DEFAULT_REGISTRY_OPTIONS, ...options.registry };
  const github = options.github;

  /** Runs one stage in a log group, timed; `row` turns its value into the table row. */
  async function stage<T>(
    name: string,
    run: () => Promise<T>,
    row: (value: T) => Omit<StageRecord, 'stage' | 'durationMs'>,
  ) {
    const started = Date.now();
    logger.info(`▶ ${name}`);
    const value = await logger.group(name, run);
    const record = { stage: name, durationMs: Date.now() - started, ...row(value) };
    stages.push(record);
    logger.info(`✔ ${name}: ${record.result} (${formatDuration(record.durationMs)})`);
    return value;
  }
  const wouldDo = (name: string, result: string) => stages.push({ stage: name, result, durationMs: -1, metrics: '' });

  // Opened first: a registry that cannot be used (no server on a runner) stops before training.
  const backend = openRegistry(registryOptions, { workspace, env: options.env, logger });
  const registry = { kind: backend.kind, location: backend.location };
  const finish = (result: Omit<LocalPipelineResult, 'summaries' | 'stages' | 'outputs' | 'registry'>) => {
    wouldDo('stop-infra', 'would stop the MLflow host after the run, always (GitHub only)');
    outputs.push(['registry', backend.location]);
    return { ...result, summaries, stages, outputs, registry };
  };

  const reportDir = join('.wms', 'reports', options.runName);
  const qaStage = await stage(
    'data-qa',
    () => runQaStage({ root: options.dataDir, workspace, reportDir }, { logger, progress: deps.progress?.() }),
    (r) => ({
      result: r.report.valid ? 'valid' : 'invalid',
      metrics: `${r.report.counts.validPairs} pairs, ${r.report.counts.errors} errors, ${r.report.counts.warnings} warnings`,
    }),
  );
  const qa = qaStage.report;
  summaries.push(qaStage.summary);
  outputs.push(['data-qa report', qaStage.paths.markdown]);

  if (github) {
    const pr = await stage(
      'open-data-pr',
      () =>
        runDataPrStage(
          {
            reportPath: qaStage.paths.json,
            branch: github.branch,
            base: github.base,
            headSha: github.headSha,
            branchPrefix: github.branchPrefix,
            workspace,
          },
          { client: github.client, logger },
        ),
      (r) => ({
        result: dryRunText(
          github,
          r.outcome === 'invalid'
            ? 'would comment the errors on the commit'
            : `would ${r.outcome === 'created' ? 'open' : 'update'} the data pull request ${github.branch} → ${github.base}`,
        ),
        metrics: '',
      }),
    );
    summaries.push(pr.summary);
  } else {
    wouldDo('open-data-pr', 'would open the data pull request (GitHub only)');
  }
  if (qaStage.failure) return finish({ qa, stoppedBecause: qaStage.failure });
  wouldDo(
    'start-infra',
    `would start the MLflow host and wait for /health (GitHub only); here: ${backend.kind} registry at ${backend.location}`,
  );

  const runDir = join(workspace, '.wms', 'runs', options.runName);
  const train = await stage(
    'train',
    () =>
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
    (r) => ({
      result: `${r.backend.name}, ${r.epochs.length} epochs (best ${r.bestEpoch})`,
      metrics: `validation ${dice(r.metrics.validation.mean)}; test ${dice(r.metrics.test.mean)}`,
    }),
  );
  summaries.push(trainSummaryMarkdown(train));
  outputs.push(['model', train.modelDir]);

  const gate = await stage(
    'quality-gate',
    () =>
      runGateStage(
        {
          model: options.model,
          candidateModelDir: train.modelDir,
          datasetDir: options.dataDir,
          workspace,
          config: options.config,
          policy: options.policy,
          outputDir: join(runDir, 'gate'),
        },
        { registry: backend.registry, logger, progress: deps.progress, notice: registryNotice(backend) },
      ),
    (r) => ({
      result: r.improved
        ? r.championVersion
          ? `passed: better than champion v${r.championVersion}`
          : 'passed: first model'
        : r.championVersion
          ? `not passed: not better than champion v${r.championVersion}`
          : `not passed: ${r.reason}`,
      metrics: `candidate ${dice(r.candidate)}${r.championVersion ? `; champion ${dice(r.baseline)} (${r.baselineSource}) on the same ${r.evaluatedImages} pairs` : `; on ${r.evaluatedImages} held-out pairs`}`,
    }),
  );
  summaries.push(renderGateSummary(gate));
  if (gate.scoresPath) outputs.push(['gate-result.json (per-photo scores)', gate.scoresPath]);

  let promotion: PromotionResult | undefined;
  if (gate.improved) {
    const promoted = await stage(
      'promote',
      () =>
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
      (r) => ({
        result: `${options.model} v${r.version} is the champion${r.previousVersion ? ` (was v${r.previousVersion})` : ''}`,
        metrics: dice(r.metadata.metrics),
      }),
    );
    summaries.push(promoted.summary);
    promotion = promoted;
    if (promoted.metadataPath) outputs.push(['model-metadata.json', promoted.metadataPath]);
    if (promoted.historyPath) outputs.push(['model-history.jsonl', promoted.historyPath]);
  } else {
    stages.push({ stage: 'promote', result: 'skipped: the gate did not pass', durationMs: -1, metrics: '' });
  }

  if (github) {
    const gateVerdict = {
      model: gate.model,
      improved: gate.improved,
      reason: gate.reason,
      candidate: gate.candidate,
      baseline: gate.baseline,
      championVersion: gate.championVersion,
      baselineSource: gate.baselineSource,
    };
    const comment = await stage(
      'report-results',
      () =>
        runResultsCommentStage(
          {
            prNumber: 0,
            headSha: github.headSha,
            modelDir: train.modelDir,
            gate: gateVerdict,
            championScoresPath: gate.scoresPath,
            promotedVersion: promotion?.version,
            autoMerge: gate.improved,
            branchPrefix: github.branchPrefix,
            workspace,
          },
          { client: github.client, logger },
        ),
      () => ({ result: dryRunText(github, 'would post the results comment on the data pull request'), metrics: '' }),
    );
    summaries.push(comment.summary);
    const merge = await stage(
      'auto-merge',
      () =>
        runAutoMergeStage(
          {
            prNumber: 0,
            headSha: github.headSha,
            gate: { passed: gate.improved, reason: gate.reason },
            approve: true,
            mergeMethod: 'squash',
            mergeFallback: 'merge',
            statusContext: 'wms/quality-gate',
            branchPrefix: github.branchPrefix,
            mergeablePollMs: 0,
          },
          { client: github.client, logger },
        ),
      (r) => ({
        result: dryRunText(
          github,
          gate.improved
            ? `would set wms/quality-gate = success, approve and enable auto-merge (${r.autoMerge})`
            : 'would set wms/quality-gate = failure and leave the pull request unmerged',
        ),
        metrics: '',
      }),
    );
    summaries.push(merge.summary);
  } else {
    wouldDo('report-results', 'would post the results comment on the data pull request (GitHub only)');
    wouldDo(
      'auto-merge',
      gate.improved
        ? 'would approve the data pull request and enable auto-merge (GitHub only)'
        : 'would leave the data pull request unmerged, status wms/quality-gate = failure (GitHub only)',
    );
  }

  return finish({
    qa,
    train,
    gate,
    promotion,
    stoppedBecause: gate.improved ? undefined : `Quality gate: ${gate.reason}`,
  });
}

function dryRunText(github: GitHubDryRun, text: string): string {
  return github.client.dryRun ? `dry run: ${text}` : text.replace(/^would /, '');
}
