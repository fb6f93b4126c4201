/**
 * GitHubClient over Octokit with the retry and throttling plugins (as peter-evans/create-pull-request
 * does): primary and secondary rate limits are waited out, 5xx and network failures retried, 4xx
 * never (an explicit do-not-retry list), and every request has a timeout.
 */
import { Octokit, type RestEndpointMethodTypes } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck';
import { defaultSleep, type Logger } from '@wms/core';
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

// Pure: bundles that import this package without using the client drop Octokit entirely.
const ThrottledOctokit = /* @__PURE__ */ Octokit.plugin(retry, throttling);
type ThrottledOctokit = InstanceType<typeof ThrottledOctokit>;

/**
 * Client errors are answers, not accidents: retrying them only repeats the refusal. 429 is left
 * out of the retry plugin too, because it ignores Retry-After: waitOutTooManyRequests honours it.
 */
export const DO_NOT_RETRY = [400, 401, 403, 404, 405, 409, 410, 422, 429, 451];

export interface OctokitClientOptions {
  token: string;
  repo: RepoRef;
  /** REST root: $GITHUB_API_URL on a runner (GHES: https://host/api/v3). */
  apiUrl?: string;
  /** GraphQL endpoint: $GITHUB_GRAPHQL_URL (GHES: https://host/api/graphql). */
  graphqlUrl?: string;
  logger: Logger;
  /** Waiting longer than this for a primary rate limit reset fails instead (seconds). */
  maxRateLimitWaitSec?: number;
  /** Retries of 5xx / network failures and of rate-limited requests. */
  retries?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  /**
   * Milliseconds per "second" of Retry-After and of the retry plugin's backoff; 1000 in
   * production, small in tests so a Retry-After of 2 does not cost 2 s.
   */
  retryAfterBaseMs?: number;
  /**
   * Minimum gap between two writes (GitHub asks for 1 s), and between two writes that notify
   * people (comments, PRs: 3 s in the plugin); tests use 0 for both.
   */
  writeSpacingMs?: number;
}

export const DEFAULT_API_URL = 'https://api.github.com';

type PullData = RestEndpointMethodTypes['pulls']['get']['response']['data'];
type PullListItem = RestEndpointMethodTypes['pulls']['list']['response']['data'][number];
type IssueCommentData = RestEndpointMethodTypes['issues']['getComment']['response']['data'];
type CommitCommentData = RestEndpointMethodTypes['repos']['getCommitComment']['response']['data'];
type ReviewData = RestEndpointMethodTypes['pulls']['getReview']['response']['data'];

function toPullRequest(pr: PullData | PullListItem): PullRequestInfo {
  const full = pr as Partial<PullData>;
  return {
    number: pr.number,
    url: pr.html_url,
    nodeId: pr.node_id,
    state: pr.state === 'closed' ? 'closed' : 'open',
    merged: full.merged ?? pr.merged_at !== null,
    draft: pr.draft ?? false,
    title: pr.title,
    body: pr.body ?? '',
    author: pr.user?.login ?? '',
    headRef: pr.head.ref,
    headSha: pr.head.sha,
    headRepo: pr.head.repo?.full_name ?? null,
    baseRef: pr.base.ref,
    baseRepo: pr.base.repo.full_name,
    mergeable: full.mergeable ?? null,
    mergeableState: full.mergeable_state ?? 'unknown',
    autoMergeEnabled: pr.auto_merge !== null && pr.auto_merge !== undefined,
  };
}

const toComment = (c: IssueCommentData | CommitCommentData): CommentInfo => ({
  id: c.id,
  body: c.body ?? '',
  url: c.html_url,
});

const toReview = (r: ReviewData): ReviewInfo => ({
  id: r.id,
  state: r.state,
  commitId: r.commit_id ?? null,
  body: r.body ?? '',
});

/** The GraphQL URL GitHub uses beside a REST root: /graphql on github.com, /api/graphql on GHES. */
export function graphqlUrlFor(apiUrl: string): string {
  const root = apiUrl.replace(/\/+$/, '');
  return root.endsWith('/api/v3') ? `${root.slice(0, -'/v3'.length)}/graphql` : `${root}/graphql`;
}

function createOctokit(o: OctokitClientOptions): ThrottledOctokit {
  const { logger } = o;
  const retries = o.retries ?? 3;
  const maxWait = o.maxRateLimitWaitSec ?? 1800;
  const timeoutMs = o.timeoutMs ?? 60_000;
  const base = o.retryAfterBaseMs ?? 1000;
  const describe = (options: { method?: string; url?: string }): string => `${options.method} ${options.url}`;
  const octokit = new ThrottledOctokit({
    auth: o.token,
    baseUrl: (o.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, ''),
    userAgent: 'wms-pipeline',
    log: {
      debug: (m: string) => logger.debug(m),
      info: (m: string) => logger.debug(m),
      warn: (m: string) => logger.warning(m),
      error: (m: string) => logger.debug(m),
    },
    request: {
      fetch: (url: string, init: RequestInit) => fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
    },
    retry: { doNotRetry: DO_NOT_RETRY, retries, retryAfterBaseValue: base },
    throttle: {
      retryAfterBaseValue: base,
      // One group per client: the plugin's default groups are module globals shared by every client.
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: o.writeSpacingMs ?? 1000 }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: o.writeSpacingMs ?? 3000 }),
      onRateLimit: (retryAfter: number, options: { method?: string; url?: string }, _o: unknown, count: number) => {
        if (count >= retries || retryAfter > maxWait) {
          logger.warning(
            `GitHub rate limit reached on ${describe(options)}; it resets in ${retryAfter} s, more than the ${maxWait} s this step waits. Giving up.`,
          );
          return false;
        }
        logger.warning(`GitHub rate limit reached on ${describe(options)}; waiting ${retryAfter} s for the reset.`);
        return true;
      },
      onSecondaryRateLimit: (
        retryAfter: number,
        options: { method?: string; url?: string },
        _o: unknown,
        count: number,
      ) => {
        if (count >= retries) {
          logger.warning(`GitHub secondary rate limit on ${describe(options)} ${count + 1} times; giving up.`);
          return false;
        }
        logger.warning(`GitHub secondary rate limit on ${describe(options)}; waiting ${retryAfter} s (Retry-After).`);
        return true;
      },
    },
  });
  waitOutTooManyRequests(octokit, { retries, maxWait, base, logger });
  return octokit;
}

/**
 * GitHub also answers a secondary rate limit with 429 and Retry-After, which plugin-throttling 8
 * only handles on 403: wait for it here (outermost hook, so it sees what the plugins gave up on).
 */
function waitOutTooManyRequests(
  octokit: ThrottledOctokit,
  o: { retries: number; maxWait: number; base: number; logger: Logger },
): void {
  octokit.hook.wrap('request', async (request, options) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(options);
      } catch (error) {
        const e = error as { status?: number; response?: { headers?: Record<string, string | undefined> } };
        const after = Number(e.response?.headers?.['retry-after']) || 60;
        if (e.status !== 429 || attempt > o.retries || after > o.maxWait) throw error;
        o.logger.warning(`GitHub answered 429 on ${options.method} ${options.url}; waiting ${after} s (Retry-After).`);
        await defaultSleep(after * o.base);
      }
    }
  });
}

const AUTO_MERGE_MUTATION = `mutation EnableAutoMerge($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!, $expectedHeadOid: GitObjectID) {
  enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId, mergeMethod: $mergeMethod, expectedHeadOid: $expectedHeadOid }) {
    pullRequest { number autoMergeRequest { enabledAt mergeMethod } }
  }
}`;

interface AutoMergeResponse {
  enablePullRequestAutoMerge: {
    pullRequest: { number: number; autoMergeRequest: { enabledAt: string | null; mergeMethod: string } | null };
  } | null;
}

export class OctokitGitHubClient implements GitHubClient {
  readonly dryRun = false;
  readonly repo: RepoRef;
  private readonly octokit: ThrottledOctokit;
  private readonly graphql: ThrottledOctokit['graphql'];

  constructor(options: OctokitClientOptions) {
    this.repo = options.repo;
    this.octokit = createOctokit(options);
    // Through the same Octokit (auth, retry, throttling); the URL as the runner gives it.
    this.graphql = this.octokit.graphql.defaults({
      url: options.graphqlUrl || graphqlUrlFor(options.apiUrl ?? DEFAULT_API_URL),
    });
  }

  async getRepository(): Promise<RepositorySettings> {
    const { data } = await this.octokit.rest.repos.get({ ...this.repo });
    return {
      fullName: data.full_name,
      defaultBranch: data.default_branch,
      allowAutoMerge: data.allow_auto_merge ?? null,
      deleteBranchOnMerge: data.delete_branch_on_merge ?? null,
    };
  }

  async findOpenPullRequest(head: string, base: string): Promise<PullRequestInfo | null> {
    const { data } = await this.octokit.rest.pulls.list({
      ...this.repo,
      state: 'open',
      head: `${this.repo.owner}:${head}`,
      base,
      per_page: 10,
    });
    // The list omits mergeability; the single-PR endpoint has it.
    const found = data.find(
      (pr) => pr.head.ref === head && pr.head.repo?.full_name.toLowerCase() === this.fullName().toLowerCase(),
    );
    return found ? this.getPullRequest(found.number) : null;
  }

  async getPullRequest(number: number): Promise<PullRequestInfo> {
    const { data } = await this.octokit.rest.pulls.get({ ...this.repo, pull_number: number });
    return toPullRequest(data);
  }

  async createPullRequest(request: { head: string; base: string; title: string; body: string }) {
    const { data } = await this.octokit.rest.pulls.create({ ...this.repo, ...request });
    return toPullRequest(data);
  }

  async updatePullRequest(number: number, changes: { title?: string; body?: string }) {
    const { data } = await this.octokit.rest.pulls.update({ ...this.repo, pull_number: number, ...changes });
    return toPullRequest(data);
  }

  async listIssueComments(number: number): Promise<CommentInfo[]> {
    const all = await this.octokit.paginate(this.octokit.rest.issues.listComments, {
      ...this.repo,
      issue_number: number,
      per_page: 100,
    });
    return all.map(toComment);
  }

  async createIssueComment(number: number, body: string) {
    const { data } = await this.octokit.rest.issues.createComment({ ...this.repo, issue_number: number, body });
    return toComment(data);
  }

  async updateIssueComment(id: number, body: string) {
    const { data } = await this.octokit.rest.issues.updateComment({ ...this.repo, comment_id: id, body });
    return toComment(data);
  }

  async listCommitComments(sha: string): Promise<CommentInfo[]> {
    const all = await this.octokit.paginate(this.octokit.rest.repos.listCommentsForCommit, {
      ...this.repo,
      commit_sha: sha,
      per_page: 100,
    });
    return all.map(toComment);
  }

  async createCommitComment(sha: string, body: string) {
    const { data } = await this.octokit.rest.repos.createCommitComment({ ...this.repo, commit_sha: sha, body });
    return toComment(data);
  }

  async updateCommitComment(id: number, body: string) {
    const { data } = await this.octokit.rest.repos.updateCommitComment({ ...this.repo, comment_id: id, body });
    return toComment(data);
  }

  async listReviews(number: number): Promise<ReviewInfo[]> {
    const all = await this.octokit.paginate(this.octokit.rest.pulls.listReviews, {
      ...this.repo,
      pull_number: number,
      per_page: 100,
    });
    return all.map(toReview);
  }

  async approvePullRequest(number: number, request: { commitId: string; body: string }) {
    const { data } = await this.octokit.rest.pulls.createReview({
      ...this.repo,
      pull_number: number,
      commit_id: request.commitId,
      body: request.body,
      event: 'APPROVE',
    });
    return toReview(data);
  }

  async enableAutoMerge(nodeId: string, request: { method: MergeMethod; expectedHeadSha: string }) {
    const data = await this.graphql<AutoMergeResponse>(AUTO_MERGE_MUTATION, {
      pullRequestId: nodeId,
      mergeMethod: request.method.toUpperCase(),
      expectedHeadOid: request.expectedHeadSha,
    });
    return { enabledAt: data.enablePullRequestAutoMerge?.pullRequest.autoMergeRequest?.enabledAt ?? null };
  }

  async mergePullRequest(number: number, request: { sha: string; method: MergeMethod }) {
    const { data } = await this.octokit.rest.pulls.merge({
      ...this.repo,
      pull_number: number,
      sha: request.sha,
      merge_method: request.method,
    });
    return { sha: data.sha };
  }

  async deleteBranch(branch: string): Promise<void> {
    await this.octokit.rest.git.deleteRef({ ...this.repo, ref: `heads/${branch}` });
  }

  async createCommitStatus(sha: string, status: CommitStatusRequest) {
    const { data } = await this.octokit.rest.repos.createCommitStatus({
      ...this.repo,
      sha,
      state: status.state,
      context: status.context,
      description: status.description.slice(0, 140),
      target_url: status.targetUrl,
    });
    return { id: data.id };
  }

  private fullName(): string {
    return `${this.repo.owner}/${this.repo.repo}`;
  }
}
