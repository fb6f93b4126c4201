/**
 * The committed report-results bundle run the way the runner runs it, against a GitHub API on
 * 127.0.0.1: the sticky results comment is created, then edited in place on a re-run, from a
 * metrics.json shaped by the model package's RunRecord type.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '@wms/model';
import { stickyMarker } from '@wms/github';
import { FakeGitHubServer, FULL_NAME, issueCommentJson, pullRequestJson } from '@wms/github/testing';
import { e2eNodes, runActionBundle } from '@wms/test-support';

jest.setTimeout(120_000);

const SHA = '6'.repeat(40);
const R = `/repos/${FULL_NAME}`;
const COMMENTS = `${R}/issues/7/comments`;
let workspace: string;
let server: FakeGitHubServer;

function heldOut(ids: string[], base: number) {
  const perImage = ids.map((id, i) => ({ id, dice: base + i * 0.01, iou: base - 0.1 + i * 0.01 }));
  const mean = (k: 'dice' | 'iou') => perImage.reduce((s, p) => s + p[k], 0) / perImage.length;
  return { perImage, mean: { dice: mean('dice'), iou: mean('iou') }, count: perImage.length, threshold: 0.5 };
}

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'wms-report-results-e2e-'));
  const record: Omit<RunRecord, 'config'> & { config: Record<string, unknown> } = {
    schemaVersion: 1,
    runId: 'run-abc',
    createdAt: '2026-12-01T10:00:00.000Z',
    metrics: {
      validation: heldOut(['m1', 'm2'], 0.8),
      test: heldOut(['m3'], 0.7),
      heldOut: heldOut(['m1', 'm2', 'm3'], 0.75),
    },
    split: {
      method: 'sha256(id) bucket',
      fractions: { train: 0.7, validation: 0.2, test: 0.1 },
      train: ['m4'],
      validation: ['m1', 'm2'],
      test: ['m3'],
    },
    config: { training: { epochs: 3 } },
    datasetFingerprint: 'sha256:0',
    gitSha: SHA,
    backend: { name: 'wasm', reason: 'tfjs-node not installed', threads: 2, version: '4.22.0' },
    seed: 42,
    epochs: [1, 2, 3].map((epoch) => ({
      epoch,
      trainLoss: 1 / epoch,
      valLoss: 1.1 / epoch,
      valDice: 0.3 * epoch,
      learningRate: 0.001,
      batches: 4,
      seconds: 10,
    })),
    bestEpoch: 3,
    stopReason: 'epochs done',
    timings: { decodeSec: 1, trainSec: 30, evaluateSec: 2, totalSec: 33 },
  };
  mkdirSync(join(workspace, 'model'), { recursive: true });
  writeFileSync(join(workspace, 'model', 'metrics.json'), JSON.stringify(record));
  server = await new FakeGitHubServer().start();
});
afterAll(async () => {
  await server.stop();
  rmSync(workspace, { recursive: true, force: true });
});

const env = () => ({
  GITHUB_API_URL: server.url,
  GITHUB_REPOSITORY: FULL_NAME,
  GITHUB_SHA: SHA,
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_RUN_ID: '42',
  WMS_GITHUB_RETRY_BASE_MS: '5',
  WMS_GITHUB_WRITE_SPACING_MS: '0',
});
const inputs = {
  'model-dir': 'model',
  improved: 'true',
  reason: 'Improved over the champion: Dice 0.7600 (+0.0300), IoU 0.6600 (+0.0200).',
  'baseline-dice': '0.73',
  'baseline-iou': '0.64',
  'candidate-dice': '0.76',
  'candidate-iou': '0.66',
  'champion-version': '2',
  'promoted-version': '3',
  'pr-number': '7',
  'github-token': 'ghs_e2e',
};

describe.each(e2eNodes())('report-results bundle on %s', (node) => {
  it('creates the sticky results comment, then edits it in place on a re-run', async () => {
    let stored: string | undefined;
    server.reset();
    server
      .on('GET', `${R}/pulls/7`, { status: 200, body: pullRequestJson({ number: 7, headSha: SHA }) })
      .on('GET', COMMENTS, () => ({
        status: 200,
        body: stored ? [issueCommentJson(61, 'lgtm'), issueCommentJson(62, stored)] : [issueCommentJson(61, 'lgtm')],
      }))
      .on('POST', COMMENTS, (r) => {
        stored = (r.body as { body: string }).body;
        return { status: 201, body: issueCommentJson(62, stored) };
      })
      .on('PATCH', `${R}/issues/comments/62`, (r) => {
        stored = (r.body as { body: string }).body;
        return { status: 200, body: issueCommentJson(62, stored) };
      });

    const first = await runActionBundle({ action: 'report-results', node, workspace, inputs, env: env() });
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    expect(first.outputs).toEqual({
      'comment-id': '62',
      'comment-url': `https://github.com/${FULL_NAME}/pull/7#issuecomment-62`,
      'pr-number': '7',
    });
    const body = (server.sent('POST', COMMENTS)[0]!.body as { body: string }).body;
    expect(body.startsWith(stickyMarker('training-results'))).toBe(true);
    expect(body).toContain('| Dice | 0.7300 | 0.7600 | +0.0300 |');
    expect(body).toMatch(/```mermaid\n%%\{init.*\}%%\nxychart-beta/);
    expect(body).toContain(
      '| wasm | 33.0 s | 3 of 3 | [workflow run](https://github.com/octo-org/water-meters/actions/runs/42) |',
    );
    expect(body).toContain('Version 3 of water-meter is now the champion.');
    expect(first.summary).toContain('## Training results: water-meter');

    const second = await runActionBundle({
      action: 'report-results',
      node,
      workspace,
      inputs: { ...inputs, 'promoted-version': '4' },
      env: env(),
    });
    expect(second.exitCode).toBe(0);
    expect(server.sent('POST', COMMENTS)).toHaveLength(1);
    expect((server.sent('PATCH', `${R}/issues/comments/62`)[0]!.body as { body: string }).body).toContain(
      'Version 4 of',
    );
  });

  it('names the input when the gate output is not a metric', async () => {
    const run = await runActionBundle({
      action: 'report-results',
      node,
      workspace,
      inputs: { ...inputs, 'candidate-dice': 'NaN' },
      env: env(),
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`::error::Input 'candidate-dice' received "NaN"; expected a number >= 0 <= 1.`);
  });
});
