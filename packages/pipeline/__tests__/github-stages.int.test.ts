/**
 * The GitHub stage functions (what the actions and `wms github` call) on real files, against a
 * GitHub API on 127.0.0.1: the inputs they read, the fork refusal, and the summary blocks.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, isUserError } from '@wms/core';
import { DryRunGitHubClient, OctokitGitHubClient, stickyMarker } from '@wms/github';
import { FAST, FakeGitHubServer, FULL_NAME, OWNER, REPO, issueCommentJson, pullRequestJson } from '@wms/github/testing';
import { readDataReport, runDataPrStage, runResultsCommentStage, type ResultsCommentStageOptions } from '@wms/pipeline';

const SHA = '8'.repeat(40);
const R = `/repos/${FULL_NAME}`;
let dir: string;
let server: FakeGitHubServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wms-github-stages-'));
  mkdirSync(join(dir, 'qa'));
  writeFileSync(
    join(dir, 'qa', 'qa-report.json'),
    JSON.stringify({ valid: true, counts: { validPairs: 4, errors: 0, warnings: 0 } }),
  );
  writeFileSync(join(dir, 'qa', 'qa-report.md'), '## Data QA: ✅ 4 pairs valid\n');
  mkdirSync(join(dir, 'model'));
  writeFileSync(
    join(dir, 'model', 'metrics.json'),
    JSON.stringify({
      runId: 'r1',
      backend: { name: 'cpu' },
      timings: { totalSec: 5 },
      bestEpoch: 1,
      epochs: [{ epoch: 1, trainLoss: 0.5, valLoss: 0.6, valDice: 0.7 }],
      metrics: { heldOut: { perImage: [{ id: 'a', dice: 0.7, iou: 0.6 }] } },
    }),
  );
  server = await new FakeGitHubServer().start();
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => server.reset());

const octokit = () =>
  new OctokitGitHubClient({
    token: 't',
    repo: { owner: OWNER, repo: REPO },
    apiUrl: server.url,
    logger: createMemoryLogger(),
    ...FAST,
  });

function resultsOptions(overrides: Partial<ResultsCommentStageOptions> = {}): ResultsCommentStageOptions {
  return {
    prNumber: 7,
    headSha: SHA,
    modelDir: 'model',
    gate: {
      model: 'water-meter',
      improved: false,
      reason: 'Not improved over the champion: Dice −0.0100.',
      candidate: { dice: 0.7, iou: 0.6 },
      baseline: { dice: 0.71, iou: 0.6 },
      championVersion: '1',
      baselineSource: 're-evaluated',
    },
    autoMerge: true,
    branchPrefix: 'data/',
    workspace: dir,
    ...overrides,
  };
}

describe('readDataReport', () => {
  it('reads the verdict from qa-report.json and the text from qa-report.md beside it', async () => {
    await expect(readDataReport(join(dir, 'qa', 'qa-report.json'))).resolves.toEqual({
      valid: true,
      validPairs: 4,
      errors: 0,
      warnings: 0,
      markdown: '## Data QA: ✅ 4 pairs valid\n',
    });
  });

  it('names the file and the input to pass when the report is missing or not data-qa’s', async () => {
    const missing = await readDataReport(join(dir, 'nope.json')).catch((e: unknown) => e);
    expect(isUserError(missing)).toBe(true);
    expect((missing as Error).message).toContain(join(dir, 'nope.json'));
    writeFileSync(join(dir, 'other.json'), '{"valid":"yes"}');
    await expect(readDataReport(join(dir, 'other.json'))).rejects.toThrow("has no boolean 'valid'");
  });
});

it('runDataPrStage in a dry run reports what it would do in its summary', async () => {
  const logger = createMemoryLogger();
  const client = new DryRunGitHubClient({ owner: OWNER, repo: REPO }, logger);
  const result = await runDataPrStage(
    {
      reportPath: 'qa/qa-report.json',
      branch: 'data/x',
      base: 'main',
      headSha: SHA,
      branchPrefix: 'data/',
      workspace: dir,
    },
    { client, logger },
  );
  expect(result.summary).toContain('## Data PR: ✅ data valid — would open the pull request (dry run)');
  expect(client.calls.map((c) => c.method)).toEqual(['GET', 'POST']);
});

it('runResultsCommentStage writes the sticky comment saying the PR stays open', async () => {
  server
    .on('GET', `${R}/pulls/7`, { status: 200, body: pullRequestJson({ number: 7, headSha: SHA }) })
    .on('GET', `${R}/issues/7/comments`, { status: 200, body: [] })
    .on('POST', `${R}/issues/7/comments`, (r) => ({
      status: 201,
      body: issueCommentJson(31, (r.body as { body: string }).body),
    }));
  const result = await runResultsCommentStage(resultsOptions(), { client: octokit(), logger: createMemoryLogger() });
  expect(result).toMatchObject({ commentId: 31, action: 'created', fork: false });
  const body = (server.sent('POST', `${R}/issues/7/comments`)[0]!.body as { body: string }).body;
  expect(body.startsWith(stickyMarker('training-results'))).toBe(true);
  expect(body).toContain('stays **open and unapproved**');
});

it('runResultsCommentStage refuses a fork PR with the refusal comment, not the results', async () => {
  server
    .on('GET', `${R}/pulls/7`, {
      status: 200,
      body: pullRequestJson({ number: 7, headSha: SHA, headRepo: 'mallory/water-meters' }),
    })
    .on('GET', `${R}/issues/7/comments`, { status: 200, body: [] })
    .on('POST', `${R}/issues/7/comments`, (r) => ({
      status: 201,
      body: issueCommentJson(32, (r.body as { body: string }).body),
    }));
  const result = await runResultsCommentStage(resultsOptions(), { client: octokit(), logger: createMemoryLogger() });
  expect(result).toMatchObject({ action: 'refused', fork: true, commentId: 32 });
  const body = (server.sent('POST', `${R}/issues/7/comments`)[0]!.body as { body: string }).body;
  expect(body.startsWith(stickyMarker('fork-refused'))).toBe(true);
  expect(result.summary).toContain('is from a fork');
});

it('explains a 404 for the pull request as a user error naming what to check', async () => {
  const error = await runResultsCommentStage(resultsOptions({ prNumber: 99 }), {
    client: octokit(),
    logger: createMemoryLogger(),
  }).catch((e: unknown) => e);
  expect(isUserError(error)).toBe(true);
  expect((error as Error).message).toContain(`GitHub answered 404 Not Found for GET ${server.url}${R}/pulls/99.`);
  expect(server.sent('GET', `${R}/pulls/99`)).toHaveLength(1);
});

it('names metrics.json when the model folder has none', async () => {
  server.on('GET', `${R}/pulls/7`, { status: 200, body: pullRequestJson({ number: 7, headSha: SHA }) });
  const error = await runResultsCommentStage(resultsOptions({ modelDir: 'qa' }), {
    client: octokit(),
    logger: createMemoryLogger(),
  }).catch((e: unknown) => e);
  expect(isUserError(error)).toBe(true);
  expect((error as Error).message).toContain(join(dir, 'qa', 'metrics.json'));
  expect(server.sent('POST', `${R}/issues/7/comments`)).toHaveLength(0);
});
