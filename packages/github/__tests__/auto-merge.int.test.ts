/**
 * Status, approval and auto-merge against a GitHub API on 127.0.0.1 through the real Octokit
 * client, with GitHub's own refusal bodies; every test checks the requests that were sent.
 */
import { createMemoryLogger } from '@wms/core';
import { approveAndMerge, OctokitGitHubClient, stickyMarker, type AutoMergeRequest } from '@wms/github';
import {
  APPROVAL_REFUSALS,
  AUTO_MERGE_REFUSALS,
  FAST,
  FakeGitHubServer,
  FULL_NAME,
  OWNER,
  REPO,
  autoMergeEnabled,
  autoMergeRefusal,
  commitStatusJson,
  issueCommentJson,
  pullRequestJson,
  repositoryJson,
  reviewJson,
  type PullRequestFields,
} from '@wms/github/testing';

const SHA = 'c'.repeat(40);
const R = `/repos/${FULL_NAME}`;
const PR = `${R}/pulls/7`;

let server: FakeGitHubServer;
beforeAll(async () => {
  server = await new FakeGitHubServer().start();
});
afterAll(() => server.stop());
beforeEach(() => server.reset());

function client(token = 'ghs_workflow'): OctokitGitHubClient {
  return new OctokitGitHubClient({
    token,
    repo: { owner: OWNER, repo: REPO },
    apiUrl: server.url,
    logger: createMemoryLogger(),
    ...FAST,
  });
}

const clients = () => ({ github: client(), approver: client('ghs_approver') });

function request(overrides: Partial<AutoMergeRequest> = {}): AutoMergeRequest {
  return {
    prNumber: 7,
    headSha: SHA,
    gate: { passed: true, reason: 'Improved over the champion: Dice 0.91 (+0.02), IoU 0.84 (+0.03).' },
    approve: true,
    mergeMethod: 'squash',
    mergeFallback: 'merge',
    statusContext: 'wms/quality-gate',
    runUrl: 'https://github.com/octo-org/water-meters/actions/runs/42',
    branchPrefix: 'data/',
    ...overrides,
  };
}

/** A mergeable data PR at SHA, its status, comments and reviews, and the repository settings. */
function givenPullRequest(fields: PullRequestFields = {}, repo: Parameters<typeof repositoryJson>[0] = {}): void {
  server
    .on('GET', PR, { status: 200, body: pullRequestJson({ number: 7, headSha: SHA, ...fields }) })
    .on('POST', `${R}/statuses/${SHA}`, (r) => ({ status: 201, body: commitStatusJson(r.body as never) }))
    .on('GET', `${R}/pulls/7/reviews`, { status: 200, body: [] })
    .on('POST', `${R}/pulls/7/reviews`, (r) => ({
      status: 200,
      body: reviewJson(80, { state: 'APPROVED', commitId: SHA, body: (r.body as { body: string }).body }),
    }))
    .on('GET', `${R}/issues/7/comments`, { status: 200, body: [] })
    .on('POST', `${R}/issues/7/comments`, (r) => ({
      status: 201,
      body: issueCommentJson(90, (r.body as { body: string }).body),
    }))
    .on('GET', R, { status: 200, body: repositoryJson(repo) });
}

const graphqlCalls = () => server.sent('POST', '/graphql');

describe('the gate passed', () => {
  it('reports success on the head SHA, approves with the approve token and enables squash auto-merge', async () => {
    givenPullRequest({}, { delete_branch_on_merge: true });
    server.onGraphql('enablePullRequestAutoMerge', autoMergeEnabled());
    const result = await approveAndMerge(clients(), request(), createMemoryLogger());

    expect(result).toMatchObject({
      approved: true,
      autoMerge: 'enabled',
      branch: 'left-to-setting',
      statusState: 'success',
    });
    expect(server.sent('POST', `${R}/statuses/${SHA}`)[0]!.body).toEqual({
      state: 'success',
      context: 'wms/quality-gate',
      description: request().gate.reason,
      target_url: 'https://github.com/octo-org/water-meters/actions/runs/42',
    });
    const [review] = server.sent('POST', `${R}/pulls/7/reviews`);
    expect(review!.headers.authorization).toBe('token ghs_approver');
    expect(review!.body).toMatchObject({ event: 'APPROVE', commit_id: SHA });
    const [mutation] = graphqlCalls();
    expect(mutation!.headers.authorization).toBe('token ghs_workflow');
    expect((mutation!.body as { query: string }).query).toContain('enablePullRequestAutoMerge(input:');
    expect((mutation!.body as { variables: unknown }).variables).toEqual({
      pullRequestId: 'PR_kwDOFAKE7',
      mergeMethod: 'SQUASH',
      expectedHeadOid: SHA,
    });
    expect(server.sent('PUT', `${PR}/merge`)).toHaveLength(0);
    expect(server.sent('DELETE', /git\/refs/)).toHaveLength(0);
    expect(server.sent('POST', `${R}/issues/7/comments`)).toHaveLength(0);
  });

  it('does not approve twice when an earlier run already approved this SHA', async () => {
    givenPullRequest();
    server
      .on('GET', `${R}/pulls/7/reviews`, {
        status: 200,
        body: [reviewJson(80, { state: 'APPROVED', commitId: SHA, body: '<!-- wms:approval -->\nApproved' })],
      })
      .onGraphql('enablePullRequestAutoMerge', autoMergeEnabled());
    const result = await approveAndMerge(clients(), request(), createMemoryLogger());
    expect(result.approved).toBe(true);
    expect(server.sent('POST', `${R}/pulls/7/reviews`)).toHaveLength(0);
  });

  it.each([
    ['ownPullRequest', /Can not approve your own pull request.*'approve-token'.*GitHub App installation token/s],
    ['actionsNotPermitted', /Allow GitHub Actions to create and approve pull requests/],
  ] as const)('ends an approval refused with %s in the exact fix, before any merge', async (refusal, fix) => {
    givenPullRequest();
    server.on('POST', `${R}/pulls/7/reviews`, APPROVAL_REFUSALS[refusal]);
    const result = await approveAndMerge(clients(), request(), createMemoryLogger());

    expect(result).toMatchObject({ approved: false, autoMerge: 'skipped' });
    expect(result.failure).toMatch(fix);
    expect(server.sent('POST', `${R}/pulls/7/reviews`)).toHaveLength(1); // a 422 is not retried
    expect(graphqlCalls()).toHaveLength(0);
    expect(server.sent('PUT', `${PR}/merge`)).toHaveLength(0);
    const comment = server.sent('POST', `${R}/issues/7/comments`)[0]!.body as { body: string };
    expect(comment.body.startsWith(stickyMarker('auto-merge'))).toBe(true);
    expect(comment.body).toMatch(fix);
  });

  it('clean status + merge-fallback merge: merges now at the trained SHA and deletes the data branch', async () => {
    givenPullRequest({ mergeableState: 'clean' }, { delete_branch_on_merge: false });
    server
      .onGraphql('enablePullRequestAutoMerge', autoMergeRefusal(AUTO_MERGE_REFUSALS.cleanStatus))
      .on('PUT', `${PR}/merge`, {
        status: 200,
        body: { sha: 'd'.repeat(40), merged: true, message: 'Pull Request successfully merged' },
      })
      .on('DELETE', `${R}/git/refs/heads/data/new-meters`, { status: 204 });
    const result = await approveAndMerge(clients(), request(), createMemoryLogger());

    expect(result).toMatchObject({ autoMerge: 'merged', branch: 'deleted' });
    expect(result.steps.join('\n')).toMatch(
      /already mergeable \("clean status".*merged now \(squash, merge-fallback 'merge'\)/s,
    );
    expect(graphqlCalls()).toHaveLength(1); // a GraphQL refusal is an answer, not retried
    expect(server.sent('PUT', `${PR}/merge`)[0]!.body).toEqual({ sha: SHA, merge_method: 'squash' });
    expect(server.sent('DELETE', `${R}/git/refs/heads/data/new-meters`)).toHaveLength(1);
  });

  it('reads the PR again while GitHub is still computing mergeability, then merges', async () => {
    givenPullRequest({}, { delete_branch_on_merge: true });
    server
      .on(
        'GET',
        PR,
        { status: 200, body: pullRequestJson({ number: 7, headSha: SHA }) },
        { status: 200, body: pullRequestJson({ number: 7, headSha: SHA, mergeable: null, mergeableState: 'unknown' }) },
        { status: 200, body: pullRequestJson({ number: 7, headSha: SHA, mergeableState: 'clean' }) },
      )
      .onGraphql('enablePullRequestAutoMerge', autoMergeRefusal(AUTO_MERGE_REFUSALS.notAllowed))
      .on('PUT', `${PR}/merge`, { status: 200, body: { sha: 'd'.repeat(40), merged: true, message: 'ok' } });
    const result = await approveAndMerge(clients(), request({ mergeablePollMs: 1 }), createMemoryLogger());
    expect(result.autoMerge).toBe('merged');
    expect(server.sent('GET', PR)).toHaveLength(3);
    expect(server.sent('PUT', `${PR}/merge`)).toHaveLength(1);
  });

  it('clean status + merge-fallback fail: fails with the fix and merges nothing', async () => {
    givenPullRequest({ mergeableState: 'clean' });
    server.onGraphql('enablePullRequestAutoMerge', autoMergeRefusal(AUTO_MERGE_REFUSALS.cleanStatus));
    const result = await approveAndMerge(clients(), request({ mergeFallback: 'fail' }), createMemoryLogger());
    expect(result.autoMerge).toBe('failed');
    expect(result.failure).toMatch(/require the status check 'wms\/quality-gate'.*merge-fallback is 'fail'/);
    expect(server.sent('PUT', `${PR}/merge`)).toHaveLength(0);
  });

  it('auto-merge not allowed + merge-fallback merge: merges now; the repository setting deletes the branch', async () => {
    givenPullRequest({ mergeableState: 'clean' }, { delete_branch_on_merge: true, allow_auto_merge: false });
    server
      .onGraphql('enablePullRequestAutoMerge', autoMergeRefusal(AUTO_MERGE_REFUSALS.notAllowed))
      .on('PUT', `${PR}/merge`, {
        status: 200,
        body: { sha: 'd'.repeat(40), merged: true, message: 'Pull Request successfully merged' },
      });
    const result = await approveAndMerge(clients(), request(), createMemoryLogger());
    expect(result).toMatchObject({ autoMerge: 'merged', branch: 'deleted-by-setting' });
    expect(result.steps.join('\n')).toContain('"Allow auto-merge"');
    expect(server.sent('DELETE', /git\/refs/)).toHaveLength(0);
  });

  it('auto-merge not allowed + merge-fallback fail: names the setting', async () => {
    givenPullRequest();
    server.onGraphql('enablePullRequestAutoMerge', autoMergeRefusal(AUTO_MERGE_REFUSALS.notAllowed));
    const result = await approveAndMerge(clients(), request({ mergeFallback: 'fail' }), createMemoryLogger());
    expect(result.autoMerge).toBe('failed');
    expect(result.failure).toContain('Settings → General → Pull Requests → "Allow auto-merge"');
    expect(server.sent('PUT', `${PR}/merge`)).toHaveLength(0);
  });

  it('merge method disabled: fails with the fix under either fallback, no merge attempt', async () => {
    givenPullRequest({ mergeableState: 'clean' });
    server.onGraphql('enablePullRequestAutoMerge', autoMergeRefusal(AUTO_MERGE_REFUSALS.methodNotAllowed));
    const result = await approveAndMerge(clients(), request(), createMemoryLogger());
    expect(result.autoMerge).toBe('failed');
    expect(result.failure).toMatch(/squash merging is not allowed.*'merge-method'/);
    expect(server.sent('PUT', `${PR}/merge`)).toHaveLength(0);
  });

  it('merge now refused by GitHub (405) ends failed with GitHub’s message', async () => {
    givenPullRequest({ mergeableState: 'unstable' });
    server
      .onGraphql('enablePullRequestAutoMerge', autoMergeRefusal(AUTO_MERGE_REFUSALS.cleanStatus))
      .on('PUT', `${PR}/merge`, {
        status: 405,
        body: {
          message: 'Squash merges are not allowed on this repository.',
          documentation_url: 'https://docs.github.com/rest/pulls/pulls#merge-a-pull-request',
          status: '405',
        },
      });
    const result = await approveAndMerge(clients(), request(), createMemoryLogger());
    expect(result.autoMerge).toBe('failed');
    expect(result.failure).toContain('(405): Squash merges are not allowed on this repository.');
    expect(server.sent('PUT', `${PR}/merge`)).toHaveLength(1);
    expect(server.sent('DELETE', /git\/refs/)).toHaveLength(0);
  });

  it('merge-fallback merge on a blocked PR does not try to merge', async () => {
    givenPullRequest({ mergeableState: 'blocked' });
    server.onGraphql('enablePullRequestAutoMerge', autoMergeRefusal(AUTO_MERGE_REFUSALS.notAllowed));
    const result = await approveAndMerge(clients(), request(), createMemoryLogger());
    expect(result.autoMerge).toBe('failed');
    expect(result.failure).toContain('not mergeable now (state: blocked)');
    expect(server.sent('PUT', `${PR}/merge`)).toHaveLength(0);
  });

  it('never deletes a branch that is not a data branch', async () => {
    givenPullRequest({ head: 'feature/config', mergeableState: 'clean' }, { delete_branch_on_merge: false });
    server
      .onGraphql('enablePullRequestAutoMerge', autoMergeRefusal(AUTO_MERGE_REFUSALS.cleanStatus))
      .on('PUT', `${PR}/merge`, { status: 200, body: { sha: 'd'.repeat(40), merged: true, message: 'ok' } });
    const result = await approveAndMerge(clients(), request(), createMemoryLogger());
    expect(result).toMatchObject({ autoMerge: 'merged', branch: 'kept' });
    expect(server.sent('DELETE', /git\/refs/)).toHaveLength(0);
  });
});

describe('no approval or merge', () => {
  it('a failed gate is reported as a failing status on the head SHA, nothing else is written', async () => {
    givenPullRequest();
    const reason = 'Not improved over the champion: Dice −0.0100; both Dice and IoU must increase.';
    const result = await approveAndMerge(clients(), request({ gate: { passed: false, reason } }), createMemoryLogger());
    expect(result).toMatchObject({ approved: false, autoMerge: 'skipped', statusState: 'failure' });
    expect(server.sent('POST', `${R}/statuses/${SHA}`)[0]!.body).toMatchObject({
      state: 'failure',
      description: reason,
    });
    expect(server.log()).toEqual([`GET ${PR}`, `POST ${R}/statuses/${SHA}`]);
  });

  it('a head that moved since training gets the verdict on the trained SHA only', async () => {
    givenPullRequest({ headSha: 'e'.repeat(40) });
    const result = await approveAndMerge(clients(), request(), createMemoryLogger());
    expect(result.autoMerge).toBe('skipped');
    expect(result.steps.join('\n')).toContain(`head moved to ${'e'.repeat(12)}`);
    expect(server.log()).toEqual([`GET ${PR}`, `POST ${R}/statuses/${SHA}`]);
  });

  it('a fork PR is refused with one comment before any status, review or merge', async () => {
    givenPullRequest({ headRepo: 'mallory/water-meters' });
    const result = await approveAndMerge(clients(), request(), createMemoryLogger());
    expect(result).toMatchObject({ fork: true, approved: false, autoMerge: 'skipped', commentId: 90 });
    const body = (server.sent('POST', `${R}/issues/7/comments`)[0]!.body as { body: string }).body;
    expect(body.startsWith(stickyMarker('fork-refused'))).toBe(true);
    expect(body).toContain('Maintainers');
    expect(body).toContain('data/pr-7');
    expect(server.log()).toEqual([`GET ${PR}`, `GET ${R}/issues/7/comments`, `POST ${R}/issues/7/comments`]);
  });

  it('a fork PR under a read-only token is refused without failing on the comment', async () => {
    givenPullRequest({ headRepo: 'mallory/water-meters' });
    server.on('POST', `${R}/issues/7/comments`, {
      status: 403,
      body: {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
        status: '403',
      },
    });
    const logger = createMemoryLogger();
    const result = await approveAndMerge({ github: client(), approver: client() }, request(), logger);
    expect(result).toMatchObject({ fork: true, autoMerge: 'skipped', commentId: null });
    expect(logger.messages('warning').join('\n')).toContain('pull_request_target');
    expect(server.sent('POST', `${R}/issues/7/comments`)).toHaveLength(1);
  });
});
