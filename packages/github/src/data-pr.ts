/**
 * The data pull request: valid data opens (or updates in place) one PR from its `data/*` branch
 * with the validation report as its body; invalid data gets one sticky commit comment with the
 * errors (and, when a PR is already open, the same sticky comment there) and no PR.
 */
import { UserError, type Logger } from '@wms/core';
import type { GitHubClient, PullRequestInfo } from './client';
import { fitToGitHubLimit } from './body-limit';
import {
  isActionsCreatePrForbidden,
  isPullRequestAlreadyExists,
  SETTING_ACTIONS_CREATE_APPROVE,
} from './github-errors';
import { findSticky, stickyMarker, upsertCommitComment, upsertPullRequestComment } from './sticky-comment';

export interface DataReport {
  valid: boolean;
  validPairs: number;
  errors: number;
  warnings: number;
  /** The data-qa report as markdown (qa-report.md). */
  markdown: string;
}

export interface DataPrRequest {
  /** The pushed branch, e.g. data/2026-12-01-new-meters. */
  branch: string;
  base: string;
  /** The pushed commit the report describes. */
  headSha: string;
  report: DataReport;
  /** Only branches with this prefix get a data PR. */
  branchPrefix: string;
  /** Link to the full report (e.g. the run's artifact), used when a body must be cut. */
  reportUrl?: string;
}

export type DataPrOutcome = 'created' | 'updated' | 'unchanged' | 'invalid';

export interface DataPrResult {
  outcome: DataPrOutcome;
  pullRequest: PullRequestInfo | null;
  /** The sticky data-report comment (commit comment on invalid data), if one was written. */
  commentId: number | null;
  commentUrl: string | null;
}

export function dataPrTitle(branch: string, prefix: string, report: DataReport): string {
  return `Data: ${branch.slice(prefix.length) || branch} (${report.validPairs} pairs)`;
}

export function dataPrBody(request: DataPrRequest): string {
  const { report } = request;
  const lines = [
    stickyMarker('data-pr'),
    `Training data from \`${request.branch}\` at ${request.headSha.slice(0, 12)}: **${report.validPairs} valid pairs**, ${report.warnings} warning(s).`,
    '',
    'Training starts from the data workflow run (see the checks below). When the new model beats the champion on Dice and IoU, this pull request is approved and merged automatically; otherwise it stays open with a comment that says why.',
    '',
    report.markdown.trim(),
    '',
  ];
  return fitToGitHubLimit(lines.join('\n'), request.reportUrl);
}

function invalidDataComment(request: DataPrRequest): string {
  const { report } = request;
  return [
    `### ❌ Data QA failed for \`${request.branch}\` at ${request.headSha.slice(0, 12)}`,
    '',
    `${report.errors} error(s), ${report.validPairs} usable pairs. No pull request is opened until the data is valid: fix the files below and push again to \`${request.branch}\`.`,
    '',
    report.markdown.trim(),
  ].join('\n');
}

function assertDataBranch(request: DataPrRequest): void {
  if (!request.branch.startsWith(request.branchPrefix) || request.branch === request.branchPrefix) {
    throw new UserError(
      `Branch ${JSON.stringify(request.branch)} is not a data branch; expected a name starting with ${JSON.stringify(request.branchPrefix)}.`,
      { hint: `Push training data to a branch named ${request.branchPrefix}<something>, or set 'branch-prefix'.` },
    );
  }
}

async function createOrAdopt(
  client: GitHubClient,
  request: DataPrRequest,
  title: string,
  body: string,
): Promise<{ pr: PullRequestInfo; outcome: DataPrOutcome }> {
  try {
    const pr = await client.createPullRequest({ head: request.branch, base: request.base, title, body });
    return { pr, outcome: 'created' };
  } catch (error) {
    if (isActionsCreatePrForbidden(error)) {
      throw new UserError(
        'GitHub refused to open the data pull request: "GitHub Actions is not permitted to create or approve pull requests."',
        {
          hint: `Enable ${SETTING_ACTIONS_CREATE_APPROVE}, or set 'github-token' to a GitHub App installation token or a bot user's personal access token.`,
          cause: error,
        },
      );
    }
    // Another run opened it between our lookup and our create: update that one instead.
    if (isPullRequestAlreadyExists(error)) {
      const existing = await client.findOpenPullRequest(request.branch, request.base);
      if (existing) return { pr: await client.updatePullRequest(existing.number, { title, body }), outcome: 'updated' };
    }
    throw error;
  }
}

export async function publishDataReport(
  client: GitHubClient,
  request: DataPrRequest,
  logger: Logger,
): Promise<DataPrResult> {
  assertDataBranch(request);
  const existing = await client.findOpenPullRequest(request.branch, request.base);
  if (!request.report.valid) {
    const markdown = invalidDataComment(request);
    const commit = await upsertCommitComment(client, request.headSha, 'data-report', markdown, request.reportUrl);
    logger.info(`Commit comment ${commit.action}: ${commit.comment.url}`);
    if (existing) {
      const onPr = await upsertPullRequestComment(client, existing.number, 'data-report', markdown, request.reportUrl);
      logger.info(`Data-report comment on #${existing.number} ${onPr.action}: ${onPr.comment.url}`);
    }
    return { outcome: 'invalid', pullRequest: existing, commentId: commit.comment.id, commentUrl: commit.comment.url };
  }

  const title = dataPrTitle(request.branch, request.branchPrefix, request.report);
  const body = dataPrBody(request);
  let pr: PullRequestInfo;
  let outcome: DataPrOutcome;
  if (!existing) {
    ({ pr, outcome } = await createOrAdopt(client, request, title, body));
  } else if (existing.title === title && existing.body === body) {
    pr = existing;
    outcome = 'unchanged';
  } else {
    pr = await client.updatePullRequest(existing.number, { title, body });
    outcome = 'updated';
  }
  logger.info(
    client.dryRun
      ? `Dry run: the data pull request would be ${outcome}.`
      : `Data pull request #${pr.number} ${outcome}: ${pr.url}`,
  );

  // A previous push was invalid: its sticky comment on the PR now says the data is fixed.
  let commentId: number | null = null;
  let commentUrl: string | null = null;
  if (existing) {
    const stale = findSticky(await client.listIssueComments(pr.number), 'data-report');
    if (stale) {
      const fixed = await upsertPullRequestComment(
        client,
        pr.number,
        'data-report',
        `### ✅ Data QA passed for ${request.headSha.slice(0, 12)}\n\nThe errors reported for an earlier push are fixed; the pull request description has the current report.`,
      );
      commentId = fixed.comment.id;
      commentUrl = fixed.comment.url;
    }
  }
  return { outcome, pullRequest: pr, commentId, commentUrl };
}
