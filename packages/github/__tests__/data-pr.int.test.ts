/**
 * The data PR and the sticky comments against a GitHub API on 127.0.0.1, through the real Octokit
 * client: every test checks the requests that were sent, not only the result.
 */
import { createMemoryLogger, isUserError } from '@wms/core';
import {
  GITHUB_BODY_LIMIT,
  OctokitGitHubClient,
  publishDataReport,
  stickyMarker,
  type DataPrRequest,
  type DataReport,
} from '@wms/github';
import {
  FAST,
  FakeGitHubServer,
  FULL_NAME,
  OWNER,
  REPO,
  commitCommentJson,
  issueCommentJson,
  pullRequestJson,
} from '@wms/github/testing';

const SHA = '1'.repeat(40);
const PULLS = `/repos/${FULL_NAME}/pulls`;
const VALID: DataReport = {
  valid: true,
  validPairs: 3,
  errors: 0,
  warnings: 1,
  markdown: '## Data QA: ✅ 3 pairs valid\n\n| a | b |',
};
const INVALID: DataReport = {
  valid: false,
  validPairs: 2,
  errors: 1,
  warnings: 0,
  markdown: '## Data QA: ❌ 1 error\n\n- images/synth_00001.jpg: damaged or truncated',
};

let server: FakeGitHubServer;
beforeAll(async () => {
  server = await new FakeGitHubServer().start();
});
afterAll(() => server.stop());
beforeEach(() => server.reset());

function client(): OctokitGitHubClient {
  return new OctokitGitHubClient({
    token: 'ghs_test',
    repo: { owner: OWNER, repo: REPO },
    apiUrl: server.url,
    logger: createMemoryLogger(),
    ...FAST,
  });
}

function request(report: DataReport, overrides: Partial<DataPrRequest> = {}): DataPrRequest {
  return { branch: 'data/new-meters', base: 'main', headSha: SHA, report, branchPrefix: 'data/', ...overrides };
}

describe('valid data', () => {
  it('opens a PR when none is open for the branch, with the report as body', async () => {
    server.on('GET', PULLS, { status: 200, body: [] }).on('POST', PULLS, (r) => ({
      status: 201,
      body: pullRequestJson({ number: 12, body: (r.body as { body: string }).body }),
    }));
    const result = await publishDataReport(client(), request(VALID), createMemoryLogger());

    expect(result).toMatchObject({ outcome: 'created', commentId: null });
    expect(result.pullRequest).toMatchObject({ number: 12, url: `https://github.com/${FULL_NAME}/pull/12` });
    const [lookup] = server.sent('GET', PULLS);
    expect(Object.fromEntries(lookup!.query)).toMatchObject({
      state: 'open',
      head: `${OWNER}:data/new-meters`,
      base: 'main',
    });
    expect(lookup!.headers.authorization).toBe('token ghs_test');
    const [create] = server.sent('POST', PULLS);
    expect(create!.body).toMatchObject({ head: 'data/new-meters', base: 'main', title: 'Data: new-meters (3 pairs)' });
    const body = (create!.body as { body: string }).body;
    expect(body.startsWith(stickyMarker('data-pr'))).toBe(true);
    expect(body).toContain('## Data QA: ✅ 3 pairs valid');
    expect(body).toContain(SHA.slice(0, 12));
    expect(server.log()).toEqual([`GET ${PULLS}`, `POST ${PULLS}`]);
  });

  it('updates the open PR in place and changes nothing on a re-run', async () => {
    let stored = 'old report';
    server
      .on('GET', PULLS, () => ({ status: 200, body: [pullRequestJson({ number: 5, body: stored })] }))
      .on('GET', `${PULLS}/5`, () => ({
        status: 200,
        body: pullRequestJson({ number: 5, body: stored, title: 'Data: new-meters (3 pairs)' }),
      }))
      .on('PATCH', `${PULLS}/5`, (r) => {
        stored = (r.body as { body: string }).body;
        return { status: 200, body: pullRequestJson({ number: 5, body: stored }) };
      })
      .on('GET', `/repos/${FULL_NAME}/issues/5/comments`, { status: 200, body: [] });

    const first = await publishDataReport(client(), request(VALID), createMemoryLogger());
    expect(first.outcome).toBe('updated');
    expect(server.sent('PATCH', `${PULLS}/5`)).toHaveLength(1);
    expect(server.sent('POST', PULLS)).toHaveLength(0);

    server.requests.length = 0;
    const second = await publishDataReport(client(), request(VALID), createMemoryLogger());
    expect(second.outcome).toBe('unchanged');
    expect(server.log()).toEqual([`GET ${PULLS}`, `GET ${PULLS}/5`, `GET /repos/${FULL_NAME}/issues/5/comments`]);
  });

  it('marks the data-report comment of an earlier invalid push as fixed', async () => {
    const COMMENTS = `/repos/${FULL_NAME}/issues/5/comments`;
    server
      .on('GET', PULLS, { status: 200, body: [pullRequestJson({ number: 5 })] })
      .on('GET', `${PULLS}/5`, { status: 200, body: pullRequestJson({ number: 5, body: 'old' }) })
      .on('PATCH', `${PULLS}/5`, { status: 200, body: pullRequestJson({ number: 5 }) })
      .on('GET', COMMENTS, {
        status: 200,
        body: [issueCommentJson(70, `${stickyMarker('data-report')}\n### ❌ Data QA failed`, 5)],
      })
      .on('PATCH', `/repos/${FULL_NAME}/issues/comments/70`, (r) => ({
        status: 200,
        body: issueCommentJson(70, (r.body as { body: string }).body, 5),
      }));
    const result = await publishDataReport(client(), request(VALID), createMemoryLogger());
    expect(result).toMatchObject({ outcome: 'updated', commentId: 70 });
    const body = (server.sent('PATCH', `/repos/${FULL_NAME}/issues/comments/70`)[0]!.body as { body: string }).body;
    expect(body).toContain(`### ✅ Data QA passed for ${SHA.slice(0, 12)}`);
    expect(server.sent('POST', COMMENTS)).toHaveLength(0);
  });

  it('adopts a PR another run opened between lookup and create (422 already exists)', async () => {
    server
      .on('GET', PULLS, { status: 200, body: [] }, { status: 200, body: [pullRequestJson({ number: 9 })] })
      .on('GET', `${PULLS}/9`, { status: 200, body: pullRequestJson({ number: 9 }) })
      .on('POST', PULLS, {
        status: 422,
        body: {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `A pull request already exists for ${OWNER}:data/new-meters.`,
            },
          ],
          documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
          status: '422',
        },
      })
      .on('PATCH', `${PULLS}/9`, { status: 200, body: pullRequestJson({ number: 9 }) });
    const result = await publishDataReport(client(), request(VALID), createMemoryLogger());
    expect(result.outcome).toBe('updated');
    expect(server.sent('POST', PULLS)).toHaveLength(1); // 4xx: not retried
    expect(server.sent('PATCH', `${PULLS}/9`)[0]!.body).toMatchObject({ title: 'Data: new-meters (3 pairs)' });
  });

  it('cuts a body over GitHub’s limit with a note and the link to the full report', async () => {
    server
      .on('GET', PULLS, { status: 200, body: [] })
      .on('POST', PULLS, { status: 201, body: pullRequestJson({ number: 3 }) });
    const huge = {
      ...VALID,
      markdown: Array.from({ length: 5000 }, (_, i) => `- problem line ${i} ${'x'.repeat(20)}`).join('\n'),
    };
    await publishDataReport(
      client(),
      request(huge, { reportUrl: 'https://github.com/o/r/actions/runs/1' }),
      createMemoryLogger(),
    );
    const body = (server.sent('POST', PULLS)[0]!.body as { body: string }).body;
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(body).toMatch(
      /Cut to fit GitHub's 65,536-character limit \([\d,]+ characters\)\. The full report: https:\/\/github\.com\/o\/r\/actions\/runs\/1/,
    );
  });

  it('names the setting when GitHub Actions may not create pull requests (403)', async () => {
    server.on('GET', PULLS, { status: 200, body: [] }).on('POST', PULLS, {
      status: 403,
      body: {
        message: 'GitHub Actions is not permitted to create or approve pull requests.',
        documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
        status: '403',
      },
    });
    const error = await publishDataReport(client(), request(VALID), createMemoryLogger()).catch((e: unknown) => e);
    expect(isUserError(error)).toBe(true);
    expect((error as Error & { hint: string }).hint).toContain(
      'Allow GitHub Actions to create and approve pull requests',
    );
    expect(server.sent('POST', PULLS)).toHaveLength(1);
  });

  it('refuses a branch that is not a data branch before any request', async () => {
    const error = await publishDataReport(
      client(),
      request(VALID, { branch: 'feature/x' }),
      createMemoryLogger(),
    ).catch((e: unknown) => e);
    expect((error as Error).message).toContain('"feature/x" is not a data branch');
    expect(server.requests).toHaveLength(0);
  });
});

describe('invalid data', () => {
  const COMMENTS = `/repos/${FULL_NAME}/commits/${SHA}/comments`;

  it('writes one commit comment with the errors and opens no PR', async () => {
    server
      .on('GET', PULLS, { status: 200, body: [] })
      .on('GET', COMMENTS, { status: 200, body: [commitCommentJson(1, 'someone else', SHA)] })
      .on('POST', COMMENTS, (r) => ({
        status: 201,
        body: commitCommentJson(44, (r.body as { body: string }).body, SHA),
      }));
    const result = await publishDataReport(client(), request(INVALID), createMemoryLogger());
    expect(result).toMatchObject({ outcome: 'invalid', pullRequest: null, commentId: 44 });
    const body = (server.sent('POST', COMMENTS)[0]!.body as { body: string }).body;
    expect(body.startsWith(stickyMarker('data-report'))).toBe(true);
    expect(body).toContain('images/synth_00001.jpg: damaged or truncated');
    expect(server.sent('POST', PULLS)).toHaveLength(0);
  });

  it('edits the marker comment on a re-run instead of adding one, and leaves an identical one alone', async () => {
    let stored = `${stickyMarker('data-report')}\nold errors\n`;
    server
      .on('GET', PULLS, { status: 200, body: [] })
      .on('GET', COMMENTS, () => ({
        status: 200,
        body: [commitCommentJson(1, 'unrelated', SHA), commitCommentJson(2, stored, SHA)],
      }))
      .on('PATCH', `/repos/${FULL_NAME}/comments/2`, (r) => {
        stored = (r.body as { body: string }).body;
        return { status: 200, body: commitCommentJson(2, stored, SHA) };
      });
    await publishDataReport(client(), request(INVALID), createMemoryLogger());
    expect(server.sent('PATCH', `/repos/${FULL_NAME}/comments/2`)).toHaveLength(1);
    expect(server.sent('POST', COMMENTS)).toHaveLength(0);

    server.requests.length = 0;
    const again = await publishDataReport(client(), request(INVALID), createMemoryLogger());
    expect(again.commentId).toBe(2);
    expect(server.log()).toEqual([`GET ${PULLS}`, `GET ${COMMENTS}`]);
  });

  it('also puts the errors on an already open PR, found on the second page of comments', async () => {
    const ISSUE_COMMENTS = `/repos/${FULL_NAME}/issues/5/comments`;
    server
      .on('GET', PULLS, { status: 200, body: [pullRequestJson({ number: 5 })] })
      .on('GET', `${PULLS}/5`, { status: 200, body: pullRequestJson({ number: 5 }) })
      .on('GET', COMMENTS, { status: 200, body: [] })
      .on('POST', COMMENTS, { status: 201, body: commitCommentJson(44, 'x', SHA) })
      .on('GET', ISSUE_COMMENTS, (r) =>
        r.query.get('page') === '2'
          ? { status: 200, body: [issueCommentJson(77, `${stickyMarker('data-report')}\nolder errors`, 5)] }
          : {
              status: 200,
              body: [issueCommentJson(76, 'a review remark', 5)],
              headers: {
                link: `<${server.url}${ISSUE_COMMENTS}?per_page=100&page=2>; rel="next", <${server.url}${ISSUE_COMMENTS}?per_page=100&page=2>; rel="last"`,
              },
            },
      )
      .on('PATCH', `/repos/${FULL_NAME}/issues/comments/77`, { status: 200, body: issueCommentJson(77, 'x', 5) });
    await publishDataReport(client(), request(INVALID), createMemoryLogger());
    expect(server.sent('GET', ISSUE_COMMENTS).map((r) => r.query.get('page'))).toEqual([null, '2']);
    expect(
      (server.sent('PATCH', `/repos/${FULL_NAME}/issues/comments/77`)[0]!.body as { body: string }).body,
    ).toContain('damaged or truncated');
    expect(server.sent('POST', ISSUE_COMMENTS)).toHaveLength(0);
  });
});
