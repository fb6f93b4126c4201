/**
 * The client a person gets without a token: nothing is sent, every call (reads included) is
 * printed as the REST or GraphQL request the real client would make, and reads answer "nothing
 * there yet", so a stage shows the full sequence of writes it would do on a fresh repository.
 */
import type { Logger } from '@wms/core';
import type {
  CommentInfo,
  CommitStatusRequest,
  GitHubClient,
  MergeMethod,
  PullRequestInfo,
  RepoRef,
  RepositorySettings,
  ReviewInfo,
} from './client';

export interface RecordedCall {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path under the REST root, or 'graphql'. */
  path: string;
  body?: Record<string, unknown>;
}

const DRY_RUN_NUMBER = 0;

export class DryRunGitHubClient implements GitHubClient {
  readonly dryRun = true;
  readonly calls: RecordedCall[] = [];
  private readonly prefix: string;

  constructor(
    readonly repo: RepoRef,
    private readonly logger: Logger,
  ) {
    this.prefix = `/repos/${repo.owner}/${repo.repo}`;
  }

  private record(method: RecordedCall['method'], path: string, body?: Record<string, unknown>): void {
    const call: RecordedCall = body ? { method, path, body } : { method, path };
    this.calls.push(call);
    const shown = body
      ? ` ${JSON.stringify(body, (_k, v: unknown) => (typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}… (${v.length} chars)` : v))}`
      : '';
    this.logger.info(`[dry run] ${method} ${path}${shown}`);
  }

  private pull(number: number, fields: Partial<PullRequestInfo>): PullRequestInfo {
    return {
      number,
      url: `(dry run: pull request ${number === DRY_RUN_NUMBER ? 'not created' : `#${number}`})`,
      nodeId: '',
      state: 'open',
      merged: false,
      draft: false,
      title: '',
      body: '',
      author: '',
      headRef: '',
      headSha: '',
      headRepo: `${this.repo.owner}/${this.repo.repo}`,
      baseRef: '',
      baseRepo: `${this.repo.owner}/${this.repo.repo}`,
      mergeable: null,
      mergeableState: 'unknown',
      autoMergeEnabled: false,
      ...fields,
    };
  }

  private comment(id: number, body: string): CommentInfo {
    return { id, body, url: '(dry run: comment not posted)' };
  }

  async getRepository(): Promise<RepositorySettings> {
    this.record('GET', this.prefix);
    // Assumed: the settings docs/github.md asks for.
    return {
      fullName: `${this.repo.owner}/${this.repo.repo}`,
      defaultBranch: 'main',
      allowAutoMerge: true,
      deleteBranchOnMerge: true,
    };
  }

  async findOpenPullRequest(head: string, base: string) {
    this.record('GET', `${this.prefix}/pulls?state=open&head=${this.repo.owner}:${head}&base=${base}`);
    return null;
  }

  async getPullRequest(number: number) {
    this.record('GET', `${this.prefix}/pulls/${number}`);
    return this.pull(number, {});
  }

  async createPullRequest(request: { head: string; base: string; title: string; body: string }) {
    this.record('POST', `${this.prefix}/pulls`, request);
    return this.pull(DRY_RUN_NUMBER, { ...request, headRef: request.head, baseRef: request.base });
  }

  async updatePullRequest(number: number, changes: { title?: string; body?: string }) {
    this.record('PATCH', `${this.prefix}/pulls/${number}`, changes);
    return this.pull(number, changes);
  }

  async listIssueComments(number: number) {
    this.record('GET', `${this.prefix}/issues/${number}/comments`);
    return [];
  }

  async createIssueComment(number: number, body: string) {
    this.record('POST', `${this.prefix}/issues/${number}/comments`, { body });
    return this.comment(0, body);
  }

  async updateIssueComment(id: number, body: string) {
    this.record('PATCH', `${this.prefix}/issues/comments/${id}`, { body });
    return this.comment(id, body);
  }

  async listCommitComments(sha: string) {
    this.record('GET', `${this.prefix}/commits/${sha}/comments`);
    return [];
  }

  async createCommitComment(sha: string, body: string) {
    this.record('POST', `${this.prefix}/commits/${sha}/comments`, { body });
    return this.comment(0, body);
  }

  async updateCommitComment(id: number, body: string) {
    this.record('PATCH', `${this.prefix}/comments/${id}`, { body });
    return this.comment(id, body);
  }

  async listReviews(number: number): Promise<ReviewInfo[]> {
    this.record('GET', `${this.prefix}/pulls/${number}/reviews`);
    return [];
  }

  async approvePullRequest(number: number, request: { commitId: string; body: string }) {
    this.record('POST', `${this.prefix}/pulls/${number}/reviews`, {
      commit_id: request.commitId,
      body: request.body,
      event: 'APPROVE',
    });
    return { id: 0, state: 'APPROVED', commitId: request.commitId, body: request.body };
  }

  async enableAutoMerge(nodeId: string, request: { method: MergeMethod; expectedHeadSha: string }) {
    this.record('POST', 'graphql', {
      mutation: 'enablePullRequestAutoMerge',
      pullRequestId: nodeId,
      mergeMethod: request.method.toUpperCase(),
      expectedHeadOid: request.expectedHeadSha,
    });
    return { enabledAt: null };
  }

  async mergePullRequest(number: number, request: { sha: string; method: MergeMethod }) {
    this.record('PUT', `${this.prefix}/pulls/${number}/merge`, { sha: request.sha, merge_method: request.method });
    return { sha: '' };
  }

  async deleteBranch(branch: string) {
    this.record('DELETE', `${this.prefix}/git/refs/heads/${branch}`);
  }

  async createCommitStatus(sha: string, status: CommitStatusRequest) {
    this.record('POST', `${this.prefix}/statuses/${sha}`, {
      state: status.state,
      context: status.context,
      description: status.description.slice(0, 140),
      ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
    });
    return { id: 0 };
  }
}
