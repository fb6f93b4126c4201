/** The committed promote bundle run the way the runner runs it, against the local store in the workspace. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eNodes, runActionBundle } from '@wms/test-support';

jest.setTimeout(120_000);

function workspaceWithCandidate(): string {
  const workspace = mkdtempSync(join(tmpdir(), 'wms-promote-e2e-'));
  const model = join(workspace, 'out/model');
  mkdirSync(model, { recursive: true });
  writeFileSync(join(model, 'model.json'), '{"format":"layers-model"}');
  writeFileSync(join(model, 'weights.bin'), Buffer.from([1, 2, 3]));
  writeFileSync(
    join(model, 'metrics.json'),
    JSON.stringify({
      runId: 'run-9',
      createdAt: '2026-11-27T09:00:00.000Z',
      split: { train: ['a', 'b'], validation: ['c'], test: ['d'] },
    }),
  );
  return workspace;
}

const gate = { 'candidate-dice': '0.81', 'candidate-iou': '0.7', 'baseline-dice': '0', 'baseline-iou': '0' };

describe.each(e2eNodes())('promote bundle on %s', (node) => {
  it('promotes the first model, then refuses a second promotion gated against no champion', async () => {
    const workspace = workspaceWithCandidate();
    try {
      const env = { GITHUB_SHA: 'cafe', GITHUB_REF: 'refs/pull/3/merge', GITHUB_RUN_ID: '5', GITHUB_REPOSITORY: 'o/r' };
      const inputs = { 'model-dir': 'out/model', 'expected-champion': 'none', ...gate };
      const first = await runActionBundle({ action: 'promote', node, workspace, inputs, env });
      expect(first.stderr).toBe('');
      expect(first.exitCode).toBe(0);
      expect(first.outputs).toEqual(expect.objectContaining({ version: '1', 'previous-version': 'none' }));
      expect(first.summary).toContain('Promoted water-meter version 1');
      const metadata = JSON.parse(readFileSync(join(workspace, 'models/model-metadata.json'), 'utf8'));
      expect(metadata).toEqual(
        expect.objectContaining({
          version: '1',
          run_id: 'run-9',
          github_run: expect.objectContaining({ pr: 3, sha: 'cafe' }),
        }),
      );

      const late = await runActionBundle({ action: 'promote', node, workspace, inputs, env });
      expect(late.exitCode).toBe(1);
      expect(late.stdout).toContain(
        '::error::Refusing to promote water-meter: the champion changed since the quality gate ran',
      );
      expect(late.stdout).toContain('Re-run the quality gate');
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
