/**
 * The committed promote bundle run the way the runner runs it (GITHUB_ACTIONS=true): the first-ever
 * promotion against a real MLflow 2.12.2 server in the default alias style, a stale verdict refused,
 * no tracking server refused, and an explicit throwaway local store that says it does not persist.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeWithMlflowServer,
  e2eNodes,
  runActionBundle,
  startMlflowServer,
  type RunningMlflowServer,
} from '@wms/test-support';

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
      createdAt: '2026-11-27T09:00:00.000Z',
      split: { train: ['a', 'b'], validation: ['c'], test: ['d'] },
    }),
  );
  return workspace;
}

const gate = { 'candidate-dice': '0.81', 'candidate-iou': '0.7', 'baseline-dice': '0', 'baseline-iou': '0' };
const env = { GITHUB_SHA: 'cafe', GITHUB_REF: 'refs/pull/3/merge', GITHUB_RUN_ID: '5', GITHUB_REPOSITORY: 'o/r' };

describeWithMlflowServer('promote bundle against a real MLflow server', () => {
  let server: RunningMlflowServer;
  beforeAll(async () => {
    server = await startMlflowServer();
  }, 90_000);
  afterAll(() => server?.stop());

  describe.each(e2eNodes())('on %s', (node) => {
    it('promotes the first-ever model (no registered model, no alias), then refuses a stale verdict', async () => {
      const workspace = workspaceWithCandidate();
      try {
        const inputs = {
          'model-dir': 'out/model',
          'expected-champion': 'none',
          'model-name': `meter-${node}`,
          'tracking-uri': server.url,
          ...gate,
        };
        const first = await runActionBundle({ action: 'promote', node, workspace, inputs, env });
        expect({ exitCode: first.exitCode, log: first.exitCode === 0 ? '' : first.stdout + first.stderr }).toEqual({
          exitCode: 0,
          log: '',
        });
        expect(first.outputs).toEqual(expect.objectContaining({ version: '1', 'previous-version': 'none' }));
        expect(first.summary).toContain(`Promoted meter-${node} version 1`);
        const metadata = JSON.parse(readFileSync(join(workspace, 'models/model-metadata.json'), 'utf8'));
        expect(metadata).toEqual(
          expect.objectContaining({ version: '1', github_run: expect.objectContaining({ pr: 3, sha: 'cafe' }) }),
        );
        const alias = await fetch(
          `${server.url}/api/2.0/mlflow/registered-models/alias?name=meter-${node}&alias=champion`,
        ).then((r) => r.json() as Promise<{ model_version: { version: string } }>);
        expect(alias.model_version.version).toBe('1');

        const late = await runActionBundle({ action: 'promote', node, workspace, inputs, env });
        expect(late.exitCode).toBe(1);
        expect(late.stdout).toContain(
          `::error::Refusing to promote meter-${node}: the champion changed since the quality gate ran`,
        );
        expect(late.stdout).toContain('Re-run the quality gate');
      } finally {
        rmSync(workspace, { recursive: true, force: true });
      }
    });
  });
});

describe.each(e2eNodes())('promote bundle on %s without a tracking server', (node) => {
  it('refuses the implicit local store, and says that an explicit one does not persist', async () => {
    const workspace = workspaceWithCandidate();
    try {
      const inputs = { 'model-dir': 'out/model', 'expected-champion': 'none', ...gate };
      const refused = await runActionBundle({ action: 'promote', node, workspace, inputs, env });
      expect(refused.exitCode).toBe(1);
      expect(refused.stdout).toContain('::error::No tracking server configured');
      expect(refused.stdout).toContain('tracking-uri: local');

      const local = await runActionBundle({
        action: 'promote',
        node,
        workspace,
        inputs: { ...inputs, 'tracking-uri': 'local' },
        env,
      });
      expect(local.exitCode).toBe(0);
      expect(local.outputs.version).toBe('1');
      expect(local.summary).toContain('nothing registered or promoted here persists');
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
