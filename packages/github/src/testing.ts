/**
 * Test support (never imported by src/): a scripted GitHub API on 127.0.0.1 that records every
 * request, and response bodies shaped like GitHub's — typed against @octokit/openapi-types, or
 * taken from @octokit/fixtures' recorded responses where a scenario exists.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { components } from '@octokit/openapi-types';

export interface RecordedRequest {
  method: string;
  /** Path with query, as sent (Octokit sends a ref's slashes as %2F). */
  url: string;
  /** Decoded, as GitHub routes it. */
  pathname: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (request: RecordedRequest) => Reply;

interface Route {
  method: string;
  path: string | RegExp;
  /** Replies served in order; the last one repeats. */
  replies: Array<Reply | Handler>;
  served: number;
}

export const NOT_FOUND: Reply = {
  status: 404,
  body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' },
};

export class FakeGitHubServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes: Route[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Adds a route; later routes win, so a test can override a default. */
  on(method: string, path: string | RegExp, ...replies: Array<Reply | Handler>): this {
    this.routes.unshift({ method: method.toUpperCase(), path, replies, served: 0 });
    return this;
  }

  /** GraphQL: POST /graphql answered by the reply for the mutation or query name in the document. */
  onGraphql(operation: string, ...replies: Array<Reply | Handler>): this {
    return this.on('POST', `/graphql#${operation}` as unknown as string, ...replies);
  }

  /** The requests that matched `method` and `path` (the path without query). */
  sent(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method.toUpperCase() && matchPath(path, r.pathname));
  }

  /** Every request as "METHOD /path", in order. */
  log(): string[] {
    return this.requests.map((r) => `${r.method} ${r.pathname}`);
  }

  reset(): void {
    this.requests.length = 0;
    this.routes.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const parsed = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      // keep the raw text
    }
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      pathname: decodeURIComponent(parsed.pathname),
      query: parsed.searchParams,
      headers: req.headers,
      body,
    };
    this.requests.push(request);
    const operation = graphqlOperation(request);
    const route = this.routes.find(
      (r) =>
        r.method === request.method &&
        (operation !== undefined && typeof r.path === 'string' && r.path.startsWith('/graphql#')
          ? r.path === `/graphql#${operation}`
          : matchPath(r.path, request.pathname)),
    );
    let reply: Reply = NOT_FOUND;
    if (route) {
      const next = route.replies[Math.min(route.served, route.replies.length - 1)]!;
      route.served++;
      reply = typeof next === 'function' ? next(request) : next;
    }
    const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      ...(payload ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      'x-github-request-id': `FAKE:${this.requests.length}`,
      ...reply.headers,
    });
    res.end(payload);
  }
}

function matchPath(path: string | RegExp, pathname: string): boolean {
  return typeof path === 'string' ? path === pathname : path.test(pathname);
}

function graphqlOperation(request: RecordedRequest): string | undefined {
  if (!request.pathname.endsWith('/graphql')) return undefined;
  // The first field of the operation: `mutation X(...) { enablePullRequestAutoMerge(...) {` → its name.
  const query = (request.body as { query?: string } | undefined)?.query ?? '';
  return /\{\s*(\w+)/.exec(query)?.[1];
}

// ── Response bodies ────────────────────────────────────────────────────────────────────────────

export const OWNER = 'octo-org';
export const REPO = 'water-meters';
export const FULL_NAME = `${OWNER}/${REPO}`;
const API = 'https://api.github.com';
const WEB = 'https://github.com';

type PullRequest = components['schemas']['pull-request'];
type SimpleUser = components['schemas']['simple-user'];

export function userJson(login: string, type: 'User' | 'Bot' = 'Bot'): SimpleUser {
  return {
    login,
    id: login === 'github-actions[bot]' ? 41898282 : 1000,
    node_id: 'MDM6Qm90NDE4OTgyODI=',
    avatar_url: `https://avatars.githubusercontent.com/in/15368?v=4`,
    gravatar_id: '',
    url: `${API}/users/${encodeURIComponent(login)}`,
    html_url: `${WEB}/apps/github-actions`,
    followers_url: `${API}/users/${login}/followers`,
    following_url: `${API}/users/${login}/following{/other_user}`,
    gists_url: `${API}/users/${login}/gists{/gist_id}`,
    starred_url: `${API}/users/${login}/starred{/owner}{/repo}`,
    subscriptions_url: `${API}/users/${login}/subscriptions`,
    organizations_url: `${API}/users/${login}/orgs`,
    repos_url: `${API}/users/${login}/repos`,
    events_url: `${API}/users/${login}/events{/privacy}`,
    received_events_url: `${API}/users/${login}/received_events`,
    type,
    site_admin: false,
  };
}

/** The repository as GET /repos/{owner}/{repo} returns it (@octokit/fixtures' get-repository recording). */
export function repositoryJson(
  settings: {
    allow_auto_merge?: boolean;
    delete_branch_on_merge?: boolean;
    allow_squash_merge?: boolean;
  } = {},
): Record<string, unknown> {
  const recorded = recordedResponse('get-repository', 'get', /\/repos\/[^/]+\/hello-world$/).body as Record<
    string,
    unknown
  >;
  return {
    ...recorded,
    name: REPO,
    full_name: FULL_NAME,
    default_branch: 'main',
    allow_merge_commit: true,
    allow_rebase_merge: true,
    allow_squash_merge: settings.allow_squash_merge ?? true,
    allow_auto_merge: settings.allow_auto_merge ?? true,
    delete_branch_on_merge: settings.delete_branch_on_merge ?? false,
  };
}

export interface PullRequestFields {
  number?: number;
  head?: string;
  headSha?: string;
  /** owner/name of the head repository (a fork when it differs). */
  headRepo?: string;
  base?: string;
  title?: string;
  body?: string;
  author?: string;
  state?: 'open' | 'closed';
  merged?: boolean;
  mergeable?: boolean | null;
  mergeableState?: string;
  autoMerge?: boolean;
}

function repoStub(fullName: string, fork: boolean): PullRequest['base']['repo'] {
  const [owner, name] = fullName.split('/') as [string, string];
  const recorded = repositoryJson();
  return {
    ...(recorded as unknown as PullRequest['base']['repo']),
    name,
    full_name: fullName,
    fork,
    owner: userJson(owner, 'User'),
    html_url: `${WEB}/${fullName}`,
    url: `${API}/repos/${fullName}`,
  };
}

/** A pull request as GET /repos/{o}/{r}/pulls/{n} returns it. */
export function pullRequestJson(f: PullRequestFields = {}): PullRequest {
  const number = f.number ?? 7;
  const head = f.head ?? 'data/new-meters';
  const headRepo = f.headRepo ?? FULL_NAME;
  const sha = f.headSha ?? 'a'.repeat(40);
  const url = `${API}/repos/${FULL_NAME}/pulls/${number}`;
  const user = userJson(f.author ?? 'github-actions[bot]');
  return {
    url,
    id: 1_000_000 + number,
    node_id: `PR_kwDOFAKE${number}`,
    html_url: `${WEB}/${FULL_NAME}/pull/${number}`,
    diff_url: `${WEB}/${FULL_NAME}/pull/${number}.diff`,
    patch_url: `${WEB}/${FULL_NAME}/pull/${number}.patch`,
    issue_url: `${API}/repos/${FULL_NAME}/issues/${number}`,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${API}/repos/${FULL_NAME}/pulls/comments{/number}`,
    comments_url: `${API}/repos/${FULL_NAME}/issues/${number}/comments`,
    statuses_url: `${API}/repos/${FULL_NAME}/statuses/${sha}`,
    number,
    state: f.state ?? 'open',
    locked: false,
    title: f.title ?? 'Data: new-meters (3 pairs)',
    user,
    body: f.body ?? null,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: '2026-12-01T10:00:00Z',
    updated_at: '2026-12-01T10:00:00Z',
    closed_at: f.state === 'closed' ? '2026-12-01T11:00:00Z' : null,
    merged_at: f.merged ? '2026-12-01T11:00:00Z' : null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: {
      label: `${headRepo.split('/')[0]}:${head}`,
      ref: head,
      sha,
      user,
      repo: repoStub(headRepo, headRepo !== FULL_NAME),
    },
    base: {
      label: `${OWNER}:${f.base ?? 'main'}`,
      ref: f.base ?? 'main',
      sha: 'b'.repeat(40),
      user,
      repo: repoStub(FULL_NAME, false),
    },
    _links: {
      self: { href: url },
      html: { href: `${WEB}/${FULL_NAME}/pull/${number}` },
      issue: { href: `${API}/repos/${FULL_NAME}/issues/${number}` },
      comments: { href: `${API}/repos/${FULL_NAME}/issues/${number}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${API}/repos/${FULL_NAME}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${API}/repos/${FULL_NAME}/statuses/${sha}` },
    },
    author_association: 'CONTRIBUTOR',
    auto_merge: f.autoMerge ? { enabled_by: user, merge_method: 'squash', commit_title: '', commit_message: '' } : null,
    draft: false,
    merged: f.merged ?? false,
    mergeable: f.mergeable === undefined ? true : f.mergeable,
    rebaseable: true,
    mergeable_state: f.mergeableState ?? 'blocked',
    merged_by: null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 10,
    deletions: 0,
    changed_files: 6,
  };
}

export function issueCommentJson(id: number, body: string, prNumber = 7): components['schemas']['issue-comment'] {
  return {
    id,
    node_id: `IC_kwDOFAKE${id}`,
    url: `${API}/repos/${FULL_NAME}/issues/comments/${id}`,
    html_url: `${WEB}/${FULL_NAME}/pull/${prNumber}#issuecomment-${id}`,
    body,
    user: userJson('github-actions[bot]'),
    created_at: '2026-12-01T10:00:00Z',
    updated_at: '2026-12-01T10:00:00Z',
    issue_url: `${API}/repos/${FULL_NAME}/issues/${prNumber}`,
    author_association: 'CONTRIBUTOR',
  };
}

export function commitCommentJson(id: number, body: string, sha: string): components['schemas']['commit-comment'] {
  return {
    html_url: `${WEB}/${FULL_NAME}/commit/${sha}#commitcomment-${id}`,
    url: `${API}/repos/${FULL_NAME}/comments/${id}`,
    id,
    node_id: `CC_kwDOFAKE${id}`,
    body,
    path: null,
    position: null,
    line: null,
    commit_id: sha,
    user: userJson('github-actions[bot]'),
    created_at: '2026-12-01T10:00:00Z',
    updated_at: '2026-12-01T10:00:00Z',
    author_association: 'CONTRIBUTOR',
  };
}

export function reviewJson(id: number, fields: { state: string; commitId: string; body: string; login?: string }) {
  const review: components['schemas']['pull-request-review'] = {
    id,
    node_id: `PRR_kwDOFAKE${id}`,
    user: userJson(fields.login ?? 'wms-approver[bot]'),
    body: fields.body,
    state: fields.state,
    html_url: `${WEB}/${FULL_NAME}/pull/7#pullrequestreview-${id}`,
    pull_request_url: `${API}/repos/${FULL_NAME}/pulls/7`,
    _links: {
      html: { href: `${WEB}/${FULL_NAME}/pull/7#pullrequestreview-${id}` },
      pull_request: { href: `${API}/repos/${FULL_NAME}/pulls/7` },
    },
    submitted_at: '2026-12-01T10:00:00Z',
    commit_id: fields.commitId,
    author_association: 'NONE',
  };
  return review;
}

/** A commit status as POST /statuses/{sha} returns it (@octokit/fixtures' create-status recording). */
export function commitStatusJson(fields: {
  state: string;
  context: string;
  description: string;
}): Record<string, unknown> {
  const recorded = recordedResponse('create-status', 'post', /\/statuses\//).body as Record<string, unknown>;
  return { ...recorded, ...fields };
}

/** GitHub's answers to POST /pulls/{n}/reviews when it refuses an approval (verbatim bodies). */
export const APPROVAL_REFUSALS = {
  ownPullRequest: {
    status: 422,
    body: {
      message: 'Unprocessable Entity',
      errors: ['Can not approve your own pull request'],
      documentation_url: 'https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request',
      status: '422',
    },
  },
  actionsNotPermitted: {
    status: 422,
    body: {
      message: 'Unprocessable Entity',
      errors: ['GitHub Actions is not permitted to approve pull requests.'],
      documentation_url: 'https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request',
      status: '422',
    },
  },
} satisfies Record<string, Reply>;

/** enablePullRequestAutoMerge refusals: HTTP 200 with a GraphQL `errors` list, as GitHub answers. */
export function autoMergeRefusal(message: string): Reply {
  return {
    status: 200,
    body: {
      data: { enablePullRequestAutoMerge: null },
      errors: [
        { type: 'UNPROCESSABLE', path: ['enablePullRequestAutoMerge'], locations: [{ line: 2, column: 3 }], message },
      ],
    },
  };
}

export const AUTO_MERGE_REFUSALS = {
  cleanStatus: 'Pull request Pull request is in clean status',
  notAllowed: 'Pull request Auto merge is not allowed for this repository',
  methodNotAllowed: 'Pull request Merge method squash merging is not allowed on this repository',
} as const;

export function autoMergeEnabled(number = 7): Reply {
  return {
    status: 200,
    body: {
      data: {
        enablePullRequestAutoMerge: {
          pullRequest: { number, autoMergeRequest: { enabledAt: '2026-12-01T10:05:00Z', mergeMethod: 'SQUASH' } },
        },
      },
    },
  };
}

export const SECONDARY_RATE_LIMIT: Reply = {
  status: 403,
  headers: { 'retry-after': '2', 'x-ratelimit-remaining': '4000' },
  body: {
    message:
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID FAKE:1.',
    documentation_url:
      'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
    status: '403',
  },
};

export const SERVER_ERROR: Reply = { status: 502, body: { message: 'Server Error' } };

/** A recorded response from @octokit/fixtures' normalized scenario files. */
export function recordedResponse(scenario: string, method: string, path: RegExp): Reply {
  const root = dirname(require.resolve('@octokit/fixtures/package.json'));
  const file = join(root, 'scenarios', 'api.github.com', scenario, 'normalized-fixture.json');
  const entries = JSON.parse(readFileSync(file, 'utf8')) as Array<{
    method: string;
    path: string;
    status: number;
    response: unknown;
  }>;
  const entry = entries.find((e) => e.method === method && path.test(e.path));
  if (!entry) throw new Error(`no ${method} ${path} in @octokit/fixtures scenario ${scenario}`);
  return { status: entry.status, body: entry.response };
}

/** Client timings for tests: Retry-After seconds become milliseconds, no spacing between writes. */
export const FAST = { retryAfterBaseMs: 5, writeSpacingMs: 0 } as const;
