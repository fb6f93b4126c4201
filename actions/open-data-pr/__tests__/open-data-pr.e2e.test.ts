/**
 * The committed open-data-pr bundle run the way the runner runs it (INPUT_* variables, runner
 * files, no node_modules), against a GitHub API on 127.0.0.1 (GITHUB_API_URL), on real data-qa
 * reports of a valid and an invalid generated dataset.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@wms/core';
import { applyCorruption, generateSynthDataset, validateDataset, writeQaReports } from '@wms/dataset';
import { stickyMarker } from '@wms/github';
import { FakeGitHubServer, FULL_NAME, commitCommentJson, pullRequestJson } from '@wms/github/testing';
import { e2eNodes, runActionBundle } from '@wms/test-support';

jest.setTimeout(120_000);

const SHA = '3'.repeat(40);
const PULLS = `/repos/${FULL_NAME}/pulls`;
let workspace: string;
let server: FakeGitHubServer;

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'wms-open-data-pr-e2e-'));
  await generateSynthDataset({ outDir: join(workspace, 'good'), count: 3, width: 64, height: 48 });
  const { pairs } = await generateSynthDataset({ outDir: join(workspace, 'bad'), count: 3, width: 64, height: 48 });
  await applyCorruption('truncated-image', pairs[0]!, join(workspace, 'bad'));
  for (const name of ['good', 'bad']) {
    await writeQaReports(
      await validateDataset({ root: join(workspace, name) }, { logger: silentLogger }),
      join(workspace, `qa-${name}`),
    );
  }
  server = await new FakeGitHubServer().start();
});
afterAll(async () => {
  await server.stop();
  rmSync(workspace, { recursive: true, force: true });
});
beforeEach(() => server.reset());

const runnerEnv = () => ({
  GITHUB_API_URL: server.url,
  GITHUB_GRAPHQL_URL: `${server.url}/graphql`,
  GITHUB_REPOSITORY: FULL_NAME,
  GITHUB_REF: 'refs/heads/data/new-meters',
  GITHUB_SHA: SHA,
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_RUN_ID: '42',
  WMS_GITHUB_RETRY_BASE_MS: '5',
  WMS_GITHUB_WRITE_SPACING_MS: '0',
});

describe.each(e2eNodes())('open-data-pr bundle on %s', (node) => {
  it('opens the data PR with the report as body and sets the outputs and the summary', async () => {
    server.on('GET', PULLS, { status: 200, body: [] }).on('POST', PULLS, (r) => ({
      status: 201,
      body: pullRequestJson({ number: 12, body: (r.body as { body: string }).body }),
    }));
    const run = await runActionBundle({
      action: 'open-data-pr',
      node,
      workspace,
      inputs: { 'report-path': 'qa-good/qa-report.json', 'github-token': 'ghs_e2e' },
      env: runnerEnv(),
    });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({
      'pr-number': '12',
      'pr-url': `https://github.com/${FULL_NAME}/pull/12`,
      'comment-id': '',
      outcome: 'created',
      valid: 'true',
    });
    expect(run.summary).toContain('## Data PR: ✅ pull request #12 created');
    const [create] = server.sent('POST', PULLS);
    expect(create!.headers.authorization).toBe('token ghs_e2e');
    expect(create!.body).toMatchObject({ head: 'data/new-meters', base: 'main', title: 'Data: new-meters (3 pairs)' });
    expect((create!.body as { body: string }).body).toContain('## Data QA: ✅ 3 pairs valid');
    // Masked before anything is logged; never printed otherwise.
    expect(run.stdout.split('ghs_e2e')).toHaveLength(2);
    expect(run.stdout).toContain('::add-mask::ghs_e2e');
  });

  it('comments once on the commit with the errors and fails when the data is invalid', async () => {
    const comments = `/repos/${FULL_NAME}/commits/${SHA}/comments`;
    server
      .on('GET', PULLS, { status: 200, body: [] })
      .on('GET', comments, { status: 200, body: [] })
      .on('POST', comments, (r) => ({
        status: 201,
        body: commitCommentJson(44, (r.body as { body: string }).body, SHA),
      }));
    const run = await runActionBundle({
      action: 'open-data-pr',
      node,
      workspace,
      inputs: { 'report-path': 'qa-bad/qa-report.json', 'github-token': 'ghs_e2e' },
      env: runnerEnv(),
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toEqual({
      'pr-number': '',
      'pr-url': '',
      'comment-id': '44',
      outcome: 'invalid',
      valid: 'false',
    });
    expect(run.stdout).toContain('::error::Data QA found 1 error(s) on data/new-meters; no pull request was opened.');
    expect(run.summary).toContain('## Data PR: ❌ data invalid');
    const body = (server.sent('POST', comments)[0]!.body as { body: string }).body;
    expect(body.startsWith(stickyMarker('data-report'))).toBe(true);
    expect(body).toContain('damaged or truncated');
    expect(server.sent('POST', PULLS)).toHaveLength(0);
  });

  it('without a token prints the calls it would make and sends nothing', async () => {
    const run = await runActionBundle({
      action: 'open-data-pr',
      node,
      workspace,
      inputs: { 'report-path': 'qa-good/qa-report.json', 'github-token': '' },
      env: runnerEnv(),
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('No GitHub token: dry run');
    expect(run.stdout).toContain(`[dry run] POST /repos/${FULL_NAME}/pulls {"head":"data/new-meters","base":"main"`);
    expect(run.summary).toContain('(dry run)');
    expect(run.outputs).toEqual({ 'pr-number': '', 'pr-url': '', 'comment-id': '', outcome: 'created', valid: 'true' });
    expect(server.requests).toHaveLength(0);
  });
});
