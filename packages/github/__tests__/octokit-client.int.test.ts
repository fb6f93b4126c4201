/**
 * The client's network behaviour against a GitHub API on 127.0.0.1: secondary rate limits waited
 * out (Retry-After), 5xx retried, 4xx not, GHES URLs honoured, and the dry run sending nothing.
 */
import { createMemoryLogger } from '@wms/core';
import {
  createGitHubClient,
  DryRunGitHubClient,
  graphqlUrlFor,
  OctokitGitHubClient,
  publishDataReport,
} from '@wms/github';
import {
  FAST,
  FakeGitHubServer,
  FULL_NAME,
  NOT_FOUND,
  OWNER,
  REPO,
  SECONDARY_RATE_LIMIT,
  SERVER_ERROR,
  autoMergeEnabled,
  pullRequestJson,
  recordedResponse,
} from '@wms/github/testing';

const PR = `/repos/${FULL_NAME}/pulls/7`;
let server: FakeGitHubServer;
beforeAll(async () => {
  server = await new FakeGitHubServer().start();
});
afterAll(() => server.stop());
beforeEach(() => server.reset());

function client(logger = createMemoryLogger(), apiUrl = server.url, graphqlUrl?: string) {
  return new OctokitGitHubClient({
    token: 't',
    repo: { owner: OWNER, repo: REPO },
    apiUrl,
    graphqlUrl,
    logger,
    ...FAST,
  });
}

it('waits out a secondary rate limit for its Retry-After, then succeeds', async () => {
  server.on('GET', PR, SECONDARY_RATE_LIMIT, { status: 200, body: pullRequestJson() });
  const logger = createMemoryLogger();
  const started = Date.now();
  const pr = await client(logger).getPullRequest(7);
  expect(pr.number).toBe(7);
  expect(server.sent('GET', PR)).toHaveLength(2);
  // Retry-After: 2 → 2 × retryAfterBaseMs (5 ms in tests, 1000 in production).
  expect(Date.now() - started).toBeGreaterThanOrEqual(10);
  expect(logger.messages('warning')).toContainEqual(
    expect.stringContaining('secondary rate limit on GET /repos/{owner}/{repo}/pulls/{pull_number}; waiting 2 s'),
  );
});

it('waits for a primary rate limit reset (x-ratelimit-remaining: 0), then succeeds', async () => {
  const reset = Math.floor(Date.now() / 1000) + 1;
  server.on(
    'GET',
    PR,
    {
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset), 'x-ratelimit-limit': '1000' },
      body: {
        message: 'API rate limit exceeded for installation ID 1.',
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        status: '403',
      },
    },
    { status: 200, body: pullRequestJson() },
  );
  const logger = createMemoryLogger();
  await client(logger).getPullRequest(7);
  expect(server.sent('GET', PR)).toHaveLength(2);
  expect(logger.messages('warning').join('\n')).toMatch(/rate limit reached on GET .*waiting \d+ s for the reset/);
});

it('waits out a 429 for its Retry-After (a secondary limit answered as Too Many Requests), then succeeds', async () => {
  server.on(
    'GET',
    PR,
    { status: 429, headers: { 'retry-after': '3' }, body: { message: 'Too Many Requests', status: '429' } },
    { status: 200, body: pullRequestJson() },
  );
  const logger = createMemoryLogger();
  const started = Date.now();
  await expect(client(logger).getPullRequest(7)).resolves.toMatchObject({ number: 7 });
  expect(Date.now() - started).toBeGreaterThanOrEqual(15); // 3 × 5 ms
  expect(server.sent('GET', PR)).toHaveLength(2);
  expect(logger.messages('warning')).toContainEqual(
    expect.stringContaining('429 on GET /repos/{owner}/{repo}/pulls/{pull_number}; waiting 3 s'),
  );
});

it('retries a 5xx and succeeds', async () => {
  server.on('GET', PR, SERVER_ERROR, SERVER_ERROR, { status: 200, body: pullRequestJson() });
  await expect(client().getPullRequest(7)).resolves.toMatchObject({ number: 7 });
  expect(server.sent('GET', PR)).toHaveLength(3);
});

it('gives up on a 5xx after the retries with the status in the error', async () => {
  server.on('GET', PR, SERVER_ERROR);
  await expect(client().getPullRequest(7)).rejects.toMatchObject({ status: 502 });
  expect(server.sent('GET', PR)).toHaveLength(4); // first try + 3 retries
});

it.each([
  [404, NOT_FOUND],
  [422, recordedResponse('errors', 'post', /labels$/)],
  [
    401,
    {
      status: 401,
      body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' },
    },
  ],
])('never retries a %i', async (status, reply) => {
  server.on('GET', PR, reply);
  await expect(client().getPullRequest(7)).rejects.toMatchObject({ status });
  expect(server.sent('GET', PR)).toHaveLength(1);
});

it('honours a GHES REST root and derives its GraphQL endpoint (/api/v3 → /api/graphql)', async () => {
  expect(graphqlUrlFor('https://ghe.example.com/api/v3')).toBe('https://ghe.example.com/api/graphql');
  expect(graphqlUrlFor('https://api.github.com')).toBe('https://api.github.com/graphql');
  server
    .on('GET', `/api/v3${PR}`, { status: 200, body: pullRequestJson() })
    .on('POST', '/api/graphql', autoMergeEnabled());
  const ghes = client(createMemoryLogger(), `${server.url}/api/v3`);
  const pr = await ghes.getPullRequest(7);
  await ghes.enableAutoMerge(pr.nodeId, { method: 'rebase', expectedHeadSha: pr.headSha });
  expect(server.log()).toEqual([`GET /api/v3${PR}`, 'POST /api/graphql']);
  expect((server.requests[1]!.body as { variables: { mergeMethod: string } }).variables.mergeMethod).toBe('REBASE');
});

it('sends GraphQL to GITHUB_GRAPHQL_URL when it is given', async () => {
  server.on('POST', '/custom/graphql', autoMergeEnabled());
  const custom = client(createMemoryLogger(), server.url, `${server.url}/custom/graphql`);
  await expect(custom.enableAutoMerge('PR_x', { method: 'squash', expectedHeadSha: 'a'.repeat(40) })).resolves.toEqual({
    enabledAt: '2026-12-01T10:05:00Z',
  });
  expect(server.log()).toEqual(['POST /custom/graphql']);
});

it('createGitHubClient reads GITHUB_API_URL / GITHUB_GRAPHQL_URL from the environment', async () => {
  server.on('GET', PR, { status: 200, body: pullRequestJson() });
  const fromEnv = createGitHubClient({
    token: 't',
    repo: { owner: OWNER, repo: REPO },
    env: { GITHUB_API_URL: server.url, GITHUB_GRAPHQL_URL: `${server.url}/graphql` },
    logger: createMemoryLogger(),
    tuning: FAST,
  });
  expect(fromEnv.dryRun).toBe(false);
  await fromEnv.getPullRequest(7);
  expect(server.log()).toEqual([`GET ${PR}`]);
});

describe('dry run (no token)', () => {
  it('prints every call it would make and sends nothing', async () => {
    const logger = createMemoryLogger();
    const dry = createGitHubClient({
      token: '',
      repo: { owner: OWNER, repo: REPO },
      env: { GITHUB_API_URL: server.url },
      logger,
    });
    expect(dry).toBeInstanceOf(DryRunGitHubClient);
    const result = await publishDataReport(
      dry,
      {
        branch: 'data/new-meters',
        base: 'main',
        headSha: 'f'.repeat(40),
        branchPrefix: 'data/',
        report: { valid: true, validPairs: 2, errors: 0, warnings: 0, markdown: '## Data QA: ✅ 2 pairs valid' },
      },
      logger,
    );
    expect(result.outcome).toBe('created');
    expect(server.requests).toHaveLength(0);
    expect((dry as DryRunGitHubClient).calls.map((c) => `${c.method} ${c.path.split('?')[0]}`)).toEqual([
      `GET /repos/${FULL_NAME}/pulls`,
      `POST /repos/${FULL_NAME}/pulls`,
    ]);
    expect(logger.messages('info')).toContainEqual(
      expect.stringMatching(
        /^\[dry run\] POST \/repos\/octo-org\/water-meters\/pulls \{"head":"data\/new-meters","base":"main","title":"Data: new-meters \(2 pairs\)"/,
      ),
    );
  });
});
