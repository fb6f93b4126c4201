/**
 * The small GitHub surface the stages use, bound to one repository. Implemented over Octokit
 * (octokit-client.ts) and by a dry run that prints the calls it would make (dry-run-client.ts);
 * tests point the Octokit one at a server on 127.0.0.1.
 */

export interface RepoRef {
  owner: string;
  repo: string;
}

export type MergeMethod = 'squash' | 'merge' | 'rebase';

export interface RepositorySettings {
  fullName: string;
  defaultBranch: string;
  /** null: not shown to this token (GitHub returns the merge settings only to some roles). */
  allowAutoMerge: boolean | null;
  deleteBranchOnMerge: boolean | null;
}

export interface PullRequestInfo {
  number: number;
  /** The web page (html_url). */
  url: string;
  /** GraphQL node id, for enablePullRequestAutoMerge. */
  nodeId: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  title: string;
  body: string;
  author: string;
  headRef: string;
  headSha: string;
  /** owner/name of the head repository; null when the fork was deleted. */
  headRepo: string | null;
  baseRef: string;
  baseRepo: string;
  /** null while GitHub is still computing it. */
  mergeable: boolean | null;
  /** clean, blocked, behind, dirty, unstable, has_hooks, draft or unknown. */
  mergeableState: string;
  autoMergeEnabled: boolean;
}

export interface CommentInfo {
  id: number;
  body: string;
  url: string;
}

export interface ReviewInfo {
  id: number;
  state: string;
  commitId: string | null;
  body: string;
}

export type CommitState = 'success' | 'failure' | 'pending' | 'error';

export interface CommitStatusRequest {
  state: CommitState;
  context: string;
  /** GitHub keeps at most 140 characters. */
  description: string;
  targetUrl?: string;
}

export interface GitHubClient {
  readonly repo: RepoRef;
  /** True when nothing is sent: every call is printed instead. */
  readonly dryRun: boolean;
  getRepository(): Promise<RepositorySettings>;
  /** The open pull request from `head` (a branch of this repository) into `base`, if any. */
  findOpenPullRequest(head: string, base: string): Promise<PullRequestInfo | null>;
  getPullRequest(number: number): Promise<PullRequestInfo>;
  createPullRequest(request: { head: string; base: string; title: string; body: string }): Promise<PullRequestInfo>;
  updatePullRequest(number: number, changes: { title?: string; body?: string }): Promise<PullRequestInfo>;
  listIssueComments(number: number): Promise<CommentInfo[]>;
  createIssueComment(number: number, body: string): Promise<CommentInfo>;
  updateIssueComment(id: number, body: string): Promise<CommentInfo>;
  listCommitComments(sha: string): Promise<CommentInfo[]>;
  createCommitComment(sha: string, body: string): Promise<CommentInfo>;
  updateCommitComment(id: number, body: string): Promise<CommentInfo>;
  listReviews(number: number): Promise<ReviewInfo[]>;
  approvePullRequest(number: number, request: { commitId: string; body: string }): Promise<ReviewInfo>;
  /** GraphQL enablePullRequestAutoMerge, refused by GitHub if the head is no longer `expectedHeadSha`. */
  enableAutoMerge(
    nodeId: string,
    request: { method: MergeMethod; expectedHeadSha: string },
  ): Promise<{ enabledAt: string | null }>;
  /** PUT /pulls/{n}/merge, pinned to `sha` so a newer head is never merged unchecked. */
  mergePullRequest(number: number, request: { sha: string; method: MergeMethod }): Promise<{ sha: string }>;
  deleteBranch(branch: string): Promise<void>;
  createCommitStatus(sha: string, status: CommitStatusRequest): Promise<{ id: number }>;
}
