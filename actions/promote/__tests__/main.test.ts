import { testActionContext } from '@wms/test-support';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { parseInputs, UserError } from '@wms/core';
import type { ActionContext } from '@wms/core/action';
import { ChampionChangedError, createRegistry, readModelHistory } from '@wms/registry';
import { makeModelDir, makeTempDir } from '@wms/test-support';
import { runPromoteAction } from '../src/main';
import { spec } from '../src/spec';

let workspace: string;
let ctx: ActionContext;
const env = {
  GITHUB_RUN_ID: '77',
  GITHUB_REPOSITORY: 'acme/meters',
  GITHUB_SHA: 'deadbeef',
  GITHUB_REF: 'refs/pull/5/merge',
  GITHUB_ACTOR: 'octocat',
};

beforeEach(async () => {
  workspace = await makeTempDir('wms-promote-action-');
  ctx = testActionContext(workspace, env);
});
afterEach(async () => {
  await fsp.rm(workspace, { recursive: true, force: true });
});

async function candidate(name: string, quality: { dice: number; iou: number }): Promise<string> {
  const dir = await makeModelDir(workspace, name, quality);
  const record = {
    runId: `run-${name}`,
    createdAt: '2026-11-27T10:00:00.000Z',
    split: { train: ['a', 'b', 'c'], validation: ['d'], test: ['e'] },
  };
  await fsp.writeFile(join(dir, 'metrics.json'), JSON.stringify(record));
  return dir;
}

const inputs = (raw: Record<string, string>) => parseInputs(spec, (name) => raw[name] ?? '');
const gateOutputs = (expected: string, dice: number, iou: number, base = { dice: 0, iou: 0 }) => ({
  'expected-champion': expected,
  'candidate-dice': String(dice),
  'candidate-iou': String(iou),
  'baseline-dice': String(base.dice),
  'baseline-iou': String(base.iou),
});

describe('promote action', () => {
  it('promotes, writes metadata with GitHub provenance, and refuses a stale gate verdict', async () => {
    const first = await runPromoteAction(
      inputs({ 'model-dir': await candidate('one', { dice: 0.6, iou: 0.5 }), ...gateOutputs('none', 0.6, 0.5) }),
      ctx,
    );
    expect(first.outputs).toEqual(expect.objectContaining({ version: '1', 'previous-version': 'none' }));
    const metadata = JSON.parse(await fsp.readFile(join(workspace, 'models/model-metadata.json'), 'utf8'));
    expect(metadata).toEqual(
      expect.objectContaining({
        version: '1',
        run_id: 'run-one',
        trained_at: '2026-11-27T10:00:00.000Z',
        training_data_count: 3,
        github_run: { id: '77', url: 'https://github.com/acme/meters/actions/runs/77', sha: 'deadbeef', pr: 5 },
      }),
    );
    // A second PR gated against "no champion" arrives late: refused, with what to do.
    const late = runPromoteAction(
      inputs({ 'model-dir': await candidate('two', { dice: 0.7, iou: 0.6 }), ...gateOutputs('none', 0.7, 0.6) }),
      ctx,
    );
    await expect(late).rejects.toBeInstanceOf(ChampionChangedError);
    await expect(late).rejects.toThrow(/champion is now version 1/);
    const rerun = await runPromoteAction(
      inputs({
        'model-dir': await candidate('two', { dice: 0.7, iou: 0.6 }),
        ...gateOutputs('1', 0.7, 0.6, { dice: 0.6, iou: 0.5 }),
      }),
      ctx,
    );
    expect(rerun.outputs).toEqual(expect.objectContaining({ version: '2', 'previous-version': '1' }));
    expect((await readModelHistory(join(workspace, 'models'))).map((h) => h.version)).toEqual(['1', '2']);
    const { registry } = createRegistry({ workdir: workspace, logger: ctx.logger, env: {} });
    expect((await registry.history('water-meter')).map((v) => v.status)).toEqual(['archived', 'champion']);
  });

  it('rejects an expected-champion that is neither a version nor none', async () => {
    const run = runPromoteAction(inputs({ 'model-dir': workspace, ...gateOutputs('latest', 0.6, 0.5) }), ctx);
    await expect(run).rejects.toBeInstanceOf(UserError);
    await expect(run).rejects.toThrow(
      /Input 'expected-champion' received "latest"; expected a version number or 'none'/,
    );
  });
});
