/**
 * Pull requests from forks get a read-only token and no secrets, so the pipeline cannot train,
 * report or merge them. It refuses before doing anything, with one comment that says what a
 * maintainer does instead (the comment can only be written under pull_request_target; with a
 * read-only token it is logged).
 */
import type { Logger } from '@wms/core';
import type { GitHubClient, PullRequestInfo } from './client';
import { isNotAccessible } from './github-errors';
import { upsertPullRequestComment } from './sticky-comment';

export function isForkPullRequest(pr: PullRequestInfo): boolean {
  return pr.headRepo === null || pr.headRepo.toLowerCase() !== pr.baseRepo.toLowerCase();
}

export function forkRefusalText(pr: PullRequestInfo, branchPrefix: string): string {
  return [
    `### ⛔ The training pipeline does not run on pull requests from forks`,
    '',
    `This pull request comes from \`${pr.headRepo ?? 'a deleted fork'}\`. GitHub gives workflows on fork pull requests a read-only token and no secrets, so data versioning, training and the quality gate cannot run here, and nothing was trained, approved or merged.`,
    '',
    `**Maintainers:** review the data, then push it to a \`${branchPrefix}<name>\` branch of \`${pr.baseRepo}\` (e.g. \`git fetch origin pull/${pr.number}/head:${branchPrefix}pr-${pr.number} && git push origin ${branchPrefix}pr-${pr.number}\`); that push opens a data pull request which trains.`,
  ].join('\n');
}

export interface ForkRefusal {
  message: string;
  commentId: number | null;
  commentUrl: string | null;
}

export async function refuseForkPullRequest(
  client: GitHubClient,
  pr: PullRequestInfo,
  branchPrefix: string,
  logger: Logger,
): Promise<ForkRefusal> {
  const text = forkRefusalText(pr, branchPrefix);
  const message = `Pull request #${pr.number} comes from the fork ${pr.headRepo ?? '(deleted)'}: refused (maintainers must push the data to a ${branchPrefix}* branch of ${pr.baseRepo}).`;
  logger.warning(message);
  try {
    const { comment } = await upsertPullRequestComment(client, pr.number, 'fork-refused', text);
    return { message, commentId: comment.id, commentUrl: comment.url };
  } catch (error) {
    if (!isNotAccessible(error)) throw error;
    logger.warning(
      'The token is read-only (a fork pull request under `pull_request`), so the refusal could not be posted as a comment; run this step under `pull_request_target` to post it.',
    );
    return { message, commentId: null, commentUrl: null };
  }
}
