/** `wms github …` in-process: a dry run without a token, and real requests to a GitHub API on 127.0.0.1 with one. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, noProgress, silentLogger } from '@wms/core';
import { generateSynthDataset, validateDataset, writeQaReports } from '@wms/dataset';
import { FakeGitHubServer, FULL_NAME, commitStatusJson, pullRequestJson } from '@wms/github/testing';
import { buildProgram } from '../src/program';
import type { CliContext } from '../src/cli-options';

const SHA = '7'.repeat(40);
let cwd: string;
let server: FakeGitHubServer;

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'wms-cli-github-'));
  await generateSynthDataset({ outDir: join(cwd, 'data'), count: 2, width: 64, height: 48 });
  await writeQaReports(await validateDataset({ root: join(cwd, 'data') }, { logger: silentLogger }), join(cwd, 'qa'));
  server = await new FakeGitHubServer().start();
});
afterAll(async () => {
  await server.stop();
  rmSync(cwd, { recursive: true, force: true });
});
beforeEach(() => server.reset());
afterEach(() => {
  process.exitCode = undefined;
});

function cli(env: NodeJS.ProcessEnv) {
  const printed: string[] = [];
  const logger = createMemoryLogger();
  const ctx: CliContext = { logger, progress: () => noProgress, env, cwd, print: (m) => void printed.push(m) };
  const run = (...args: string[]) => buildProgram(ctx).parseAsync(['node', 'wms', 'github', ...args]);
  return { printed, logger, run };
}

const common = ['--repo', FULL_NAME, '--sha', SHA];
const fast = { WMS_GITHUB_RETRY_BASE_MS: '5', WMS_GITHUB_WRITE_SPACING_MS: '0' };

it('data-pr without a token prints the requests it would make and sends none', async () => {
  const { run, logger, printed } = cli({ GITHUB_API_URL: server.url });
  await run('data-pr', ...common, '--report', 'qa/qa-report.json', '--branch', 'data/batch-1');
  expect(process.exitCode).toBeUndefined();
  expect(logger.messages('info')).toContainEqual(
    expect.stringMatching(new RegExp(`^\\[dry run\\] POST /repos/${FULL_NAME}/pulls \\{"head":"data/batch-1"`)),
  );
  expect(printed.at(-1)).toContain('## Data PR: ✅ data valid — would open the pull request (dry run)');
  expect(server.requests).toHaveLength(0);
});

it('data-pr with a token opens the PR through GITHUB_API_URL', async () => {
  server.on('GET', `/repos/${FULL_NAME}/pulls`, { status: 200, body: [] }).on('POST', `/repos/${FULL_NAME}/pulls`, {
    status: 201,
    body: pullRequestJson({ number: 21, head: 'data/batch-1' }),
  });
  const { run, printed } = cli({ GITHUB_API_URL: server.url, GITHUB_TOKEN: 'ghp_local', ...fast });
  await run('data-pr', ...common, '--report', 'qa/qa-report.json', '--branch', 'data/batch-1');
  expect(printed.at(-1)).toContain('## Data PR: ✅ pull request #21 created');
  const [create] = server.sent('POST', `/repos/${FULL_NAME}/pulls`);
  expect(create!.headers.authorization).toBe('token ghp_local');
  expect(create!.body).toMatchObject({ head: 'data/batch-1', base: 'main', title: 'Data: batch-1 (2 pairs)' });
});

it('auto-merge --improved false reports the failing verdict on the SHA and stops', async () => {
  server
    .on('GET', `/repos/${FULL_NAME}/pulls/21`, { status: 200, body: pullRequestJson({ number: 21, headSha: SHA }) })
    .on('POST', `/repos/${FULL_NAME}/statuses/${SHA}`, (r) => ({
      status: 201,
      body: commitStatusJson(r.body as never),
    }));
  const { run, printed } = cli({ GITHUB_API_URL: server.url, GITHUB_TOKEN: 'ghp_local', ...fast });
  await run('auto-merge', ...common, '--pr', '21', '--improved', 'false', '--reason', 'Not improved.');
  expect(process.exitCode).toBeUndefined();
  expect(printed.at(-1)).toContain('## Auto-merge: ⏸️ not merged — #21');
  expect(server.sent('POST', `/repos/${FULL_NAME}/statuses/${SHA}`)[0]!.body).toMatchObject({
    state: 'failure',
    context: 'wms/quality-gate',
    description: 'Not improved.',
  });
  expect(server.log()).toHaveLength(2);
});

it('names the flag when --improved is not a boolean', async () => {
  const { run } = cli({});
  await expect(run('auto-merge', ...common, '--pr', '21', '--improved', 'yes')).rejects.toThrow(
    'Option --improved received "yes"; expected true or false.',
  );
});
