/**
 * Sticky comments: one per pull request (or commit) and purpose, found by a hidden marker on its
 * first line and edited in place, so re-runs never add a second one (CML added `--update` after
 * users complained of comment spam).
 */
import type { CommentInfo, GitHubClient } from './client';
import { fitToGitHubLimit } from './body-limit';

export type StickyPurpose = 'data-report' | 'training-results' | 'fork-refused' | 'auto-merge';

export function stickyMarker(purpose: StickyPurpose | 'data-pr'): string {
  return `<!-- wms:${purpose} -->`;
}

export function findSticky(comments: readonly CommentInfo[], purpose: StickyPurpose): CommentInfo | undefined {
  const marker = stickyMarker(purpose);
  return comments.find((c) => c.body.includes(marker));
}

export interface StickyResult {
  comment: CommentInfo;
  action: 'created' | 'updated' | 'unchanged';
}

export function stickyBody(purpose: StickyPurpose, markdown: string, fullReportUrl?: string): string {
  return fitToGitHubLimit(`${stickyMarker(purpose)}\n${markdown.trim()}\n`, fullReportUrl);
}

/** Creates or edits the pull request's comment for `purpose`; an identical body is left alone. */
export async function upsertPullRequestComment(
  client: GitHubClient,
  prNumber: number,
  purpose: StickyPurpose,
  markdown: string,
  fullReportUrl?: string,
): Promise<StickyResult> {
  const body = stickyBody(purpose, markdown, fullReportUrl);
  const existing = findSticky(await client.listIssueComments(prNumber), purpose);
  if (!existing) return { comment: await client.createIssueComment(prNumber, body), action: 'created' };
  if (existing.body === body) return { comment: existing, action: 'unchanged' };
  return { comment: await client.updateIssueComment(existing.id, body), action: 'updated' };
}

/** The same for a commit's comments (invalid data has no pull request to comment on). */
export async function upsertCommitComment(
  client: GitHubClient,
  sha: string,
  purpose: StickyPurpose,
  markdown: string,
  fullReportUrl?: string,
): Promise<StickyResult> {
  const body = stickyBody(purpose, markdown, fullReportUrl);
  const existing = findSticky(await client.listCommitComments(sha), purpose);
  if (!existing) return { comment: await client.createCommitComment(sha, body), action: 'created' };
  if (existing.body === body) return { comment: existing, action: 'unchanged' };
  return { comment: await client.updateCommitComment(existing.id, body), action: 'updated' };
}
