/**
 * The committed auto-merge bundle run the way the runner runs it, against a GitHub API on
 * 127.0.0.1 (GITHUB_API_URL / GITHUB_GRAPHQL_URL): each auto-merge output value, the approval
 * refusal's fix as the job's error, and the dry run.
 */
import {
  APPROVAL_REFUSALS,
  AUTO_MERGE_REFUSALS,
  FakeGitHubServer,
  FULL_NAME,
  autoMergeEnabled,
  autoMergeRefusal,
  commitStatusJson,
  issueCommentJson,
  pullRequestJson,
  repositoryJson,
  reviewJson,
} from '@wms/github/testing';
import { e2eNodes, runActionBundle } from '@wms/test-support';

jest.setTimeout(120_000);

const SHA = '4'.repeat(40);
const R = `/repos/${FULL_NAME}`;
let server: FakeGitHubServer;
beforeAll(async () => {
  server = await new FakeGitHubServer().start();
});
afterAll(() => server.stop());
beforeEach(() => {
  server.reset();
  server
    .on('GET', `${R}/pulls/7`, { status: 200, body: pullRequestJson({ number: 7, headSha: SHA }) })
    .on('POST', `${R}/statuses/${SHA}`, (r) => ({ status: 201, body: commitStatusJson(r.body as never) }))
    .on('GET', `${R}/pulls/7/reviews`, { status: 200, body: [] })
    .on('POST', `${R}/pulls/7/reviews`, {
      status: 200,
      body: reviewJson(1, { state: 'APPROVED', commitId: SHA, body: 'x' }),
    })
    .on('GET', `${R}/issues/7/comments`, { status: 200, body: [] })
    .on('POST', `${R}/issues/7/comments`, { status: 201, body: issueCommentJson(55, 'x') })
    .on('GET', R, { status: 200, body: repositoryJson({ delete_branch_on_merge: false }) });
});

const env = () => ({
  GITHUB_API_URL: server.url,
  GITHUB_GRAPHQL_URL: `${server.url}/graphql`,
  GITHUB_REPOSITORY: FULL_NAME,
  GITHUB_SHA: SHA,
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_RUN_ID: '42',
  WMS_GITHUB_RETRY_BASE_MS: '5',
  WMS_GITHUB_WRITE_SPACING_MS: '0',
});
const inputs = (extra: Record<string, string> = {}) => ({
  improved: 'true',
  reason: 'Improved over the champion: Dice 0.9100 (+0.0200), IoU 0.8400 (+0.0300).',
  'pr-number': '7',
  'head-sha': SHA,
  'github-token': 'ghs_workflow',
  'approve-token': 'ghs_app',
  ...extra,
});

describe.each(e2eNodes())('auto-merge bundle on %s', (node) => {
  it('enabled: status on the head SHA, approval with the approve token, auto-merge on', async () => {
    server.onGraphql('enablePullRequestAutoMerge', autoMergeEnabled());
    // A GHES-style GraphQL endpoint, not derivable from GITHUB_API_URL: proves the bundle reads it.
    const run = await runActionBundle({
      action: 'auto-merge',
      node,
      inputs: inputs(),
      env: { ...env(), GITHUB_GRAPHQL_URL: `${server.url}/api/graphql` },
    });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({
      'pr-number': '7',
      'pr-url': `https://github.com/${FULL_NAME}/pull/7`,
      approved: 'true',
      'auto-merge': 'enabled',
      'comment-id': '',
      'status-state': 'success',
    });
    expect(run.summary).toContain('## Auto-merge: ✅ auto-merge enabled — #7');
    expect(server.sent('POST', `${R}/statuses/${SHA}`)[0]!.body).toMatchObject({
      state: 'success',
      context: 'wms/quality-gate',
      target_url: `https://github.com/${FULL_NAME}/actions/runs/42`,
    });
    expect(server.sent('POST', `${R}/pulls/7/reviews`)[0]!.headers.authorization).toBe('token ghs_app');
    expect(server.sent('POST', '/graphql')).toHaveLength(0);
    expect(server.sent('POST', '/api/graphql')[0]!.body).toMatchObject({
      variables: { mergeMethod: 'SQUASH', expectedHeadOid: SHA },
    });
  });

  it('merged: clean status falls back to merging now and deleting the data branch', async () => {
    server
      .on('GET', `${R}/pulls/7`, {
        status: 200,
        body: pullRequestJson({ number: 7, headSha: SHA, mergeableState: 'clean' }),
      })
      .onGraphql('enablePullRequestAutoMerge', autoMergeRefusal(AUTO_MERGE_REFUSALS.cleanStatus))
      .on('PUT', `${R}/pulls/7/merge`, {
        status: 200,
        body: { sha: '5'.repeat(40), merged: true, message: 'Pull Request successfully merged' },
      })
      .on('DELETE', `${R}/git/refs/heads/data/new-meters`, { status: 204 });
    const run = await runActionBundle({ action: 'auto-merge', node, inputs: inputs(), env: env() });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ approved: 'true', 'auto-merge': 'merged' });
    expect(run.summary).toContain('merged now (squash');
    expect(server.sent('PUT', `${R}/pulls/7/merge`)[0]!.body).toEqual({ sha: SHA, merge_method: 'squash' });
    expect(server.sent('DELETE', `${R}/git/refs/heads/data/new-meters`)).toHaveLength(1);
  });

  it('failed: an approval refused for the own PR fails the job with the approve-token fix', async () => {
    server.on('POST', `${R}/pulls/7/reviews`, APPROVAL_REFUSALS.ownPullRequest);
    const run = await runActionBundle({
      action: 'auto-merge',
      node,
      inputs: inputs({ 'approve-token': '' }),
      env: env(),
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({
      approved: 'false',
      'auto-merge': 'skipped',
      'comment-id': '55',
      'status-state': 'success',
    });
    expect(run.stdout).toMatch(
      /::error::GitHub refused the approval: "Can not approve your own pull request".*'approve-token'/,
    );
    expect(server.sent('POST', '/graphql')).toHaveLength(0);
  });

  it('skipped: a gate that did not pass posts a failing status and nothing else', async () => {
    const run = await runActionBundle({
      action: 'auto-merge',
      node,
      inputs: inputs({ improved: 'false', reason: 'Not improved over the champion: Dice −0.0100.' }),
      env: env(),
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ approved: 'false', 'auto-merge': 'skipped', 'status-state': 'failure' });
    expect(run.summary).toContain('## Auto-merge: ⏸️ not merged — #7');
    expect(server.log()).toEqual([`GET ${R}/pulls/7`, `POST ${R}/statuses/${SHA}`]);
  });

  it('without a token prints every call and sends nothing', async () => {
    const run = await runActionBundle({
      action: 'auto-merge',
      node,
      inputs: inputs({ 'github-token': '', 'approve-token': '' }),
      env: env(),
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(`[dry run] POST ${R}/statuses/${SHA} {"state":"success","context":"wms/quality-gate"`);
    expect(run.stdout).toContain('[dry run] POST graphql {"mutation":"enablePullRequestAutoMerge"');
    expect(run.summary).toContain('(dry run)');
    expect(server.requests).toHaveLength(0);
  });
});
