/**
 * The training-results stage, as the report-results action and `wms github results` run it:
 * read the candidate's metrics.json (learning curve, per-photo scores, backend, timings) and the
 * gate's verdict, and write the one sticky results comment on the pull request.
 */
import { promises as fsp } from 'node:fs';
import { join, resolve } from 'node:path';
import { mdHeading, UserError, type ImageScore, type Logger } from '@wms/core';
import {
  explainGitHubError,
  isForkPullRequest,
  refuseForkPullRequest,
  renderResultsComment,
  upsertPullRequestComment,
  type EpochPoint,
  type GateVerdict,
  type GitHubClient,
  type TrainingRecord,
} from '@wms/github';

export interface ResultsCommentStageOptions {
  prNumber: number;
  headSha: string;
  /** The train stage's model directory (metrics.json). */
  modelDir: string;
  gate: GateVerdict;
  /** Optional JSON with the champion's per-photo scores ({ perImage: [{ id, dice, iou }] }). */
  championScoresPath?: string;
  promotedVersion?: string;
  autoMerge: boolean;
  runUrl?: string;
  branchPrefix: string;
  workspace: string;
}

export interface ResultsCommentStageResult {
  commentId: number | null;
  commentUrl: string | null;
  action: 'created' | 'updated' | 'unchanged' | 'refused';
  dryRun: boolean;
  fork: boolean;
  markdown: string;
  summary: string;
}

async function readJson(file: string, what: string, hint: string): Promise<unknown> {
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8'));
  } catch (error) {
    throw new UserError(`Cannot read ${what} ${file}: ${(error as Error).message}.`, { hint, cause: error });
  }
}

const isScore = (s: unknown): s is ImageScore =>
  typeof (s as ImageScore)?.id === 'string' &&
  typeof (s as ImageScore).dice === 'number' &&
  typeof (s as ImageScore).iou === 'number';

/** The parts of metrics.json (packages/model run-record.ts) the comment shows. */
export async function readTrainingRecord(modelDir: string): Promise<TrainingRecord> {
  const file = join(modelDir, 'metrics.json');
  const raw = (await readJson(file, "the candidate's", "Pass the train stage's model-dir output.")) as {
    runId?: unknown;
    backend?: { name?: unknown };
    timings?: { totalSec?: unknown };
    bestEpoch?: unknown;
    epochs?: unknown;
    metrics?: { heldOut?: { perImage?: unknown } };
  };
  const epochs = Array.isArray(raw.epochs)
    ? (raw.epochs as EpochPoint[]).filter((e) => typeof e?.epoch === 'number')
    : [];
  const perImage = Array.isArray(raw.metrics?.heldOut?.perImage) ? raw.metrics.heldOut.perImage.filter(isScore) : [];
  if (epochs.length === 0 && perImage.length === 0) {
    throw new UserError(`${file} has neither epochs nor held-out per-photo scores.`, {
      hint: "Pass the train stage's model-dir output (it writes metrics.json beside the model).",
    });
  }
  return {
    runId: typeof raw.runId === 'string' ? raw.runId : null,
    backend: typeof raw.backend?.name === 'string' ? raw.backend.name : 'unknown',
    totalSec: typeof raw.timings?.totalSec === 'number' ? raw.timings.totalSec : null,
    bestEpoch: typeof raw.bestEpoch === 'number' ? raw.bestEpoch : null,
    epochs,
    perImage,
  };
}

async function readChampionScores(file: string): Promise<ImageScore[]> {
  const raw = (await readJson(
    file,
    'the champion scores',
    "Pass a JSON file { perImage: [{ id, dice, iou }] } or leave 'champion-scores' empty.",
  )) as {
    perImage?: unknown;
  };
  if (!Array.isArray(raw.perImage) || !raw.perImage.every(isScore)) {
    throw new UserError(`${file} has no perImage list of { id, dice, iou }.`);
  }
  return raw.perImage;
}

export async function runResultsCommentStage(
  options: ResultsCommentStageOptions,
  deps: { client: GitHubClient; logger: Logger },
): Promise<ResultsCommentStageResult> {
  return postResults(options, deps).catch((error: unknown) => {
    throw explainGitHubError(error);
  });
}

async function postResults(
  options: ResultsCommentStageOptions,
  deps: { client: GitHubClient; logger: Logger },
): Promise<ResultsCommentStageResult> {
  const { client, logger } = deps;
  const pr = await client.getPullRequest(options.prNumber);
  if (!client.dryRun && isForkPullRequest(pr)) {
    const refusal = await refuseForkPullRequest(client, pr, options.branchPrefix, logger);
    return {
      commentId: refusal.commentId,
      commentUrl: refusal.commentUrl,
      action: 'refused',
      dryRun: false,
      fork: true,
      markdown: '',
      summary: `${mdHeading(`Training results: refused — #${pr.number} is from a fork`)}\n\n${refusal.message}`,
    };
  }
  const training = await readTrainingRecord(resolve(options.workspace, options.modelDir));
  const championPerImage = options.championScoresPath
    ? await readChampionScores(resolve(options.workspace, options.championScoresPath))
    : undefined;
  const markdown = renderResultsComment({
    gate: options.gate,
    training,
    championPerImage,
    headSha: options.headSha,
    runUrl: options.runUrl,
    promotedVersion: options.promotedVersion,
    autoMerge: options.autoMerge,
  });
  const { comment, action } = await upsertPullRequestComment(
    client,
    options.prNumber,
    'training-results',
    markdown,
    options.runUrl,
  );
  logger.info(`Training-results comment ${action}: ${comment.url}`);
  return {
    commentId: comment.id,
    commentUrl: comment.url,
    action,
    dryRun: client.dryRun,
    fork: false,
    markdown,
    // The job summary carries the same block as the comment.
    summary: markdown,
  };
}
