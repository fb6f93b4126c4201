/**
 * `wms synth --kind cells`, `wms cv` and `wms evaluate` driven in-process on generated cells with
 * a tiny config: the commands' flags reach the library, the reports land where asked, and
 * `evaluate` on a fold's model reproduces what `cv` measured on that fold.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, noProgress } from '@wms/core';
import type { CrossValidationReport, FolderEvaluation } from '@wms/model';
import type { CliContext } from '../src/cli-options';
import { buildProgram } from '../src/program';

jest.setTimeout(240_000);

function cli(cwd: string) {
  const printed: string[] = [];
  const logger = createMemoryLogger();
  const ctx: CliContext = { logger, progress: () => noProgress, env: {}, cwd, print: (m) => void printed.push(m) };
  const run = (...args: string[]) => buildProgram(ctx).parseAsync(['node', 'wms', ...args]);
  return { printed, logger, run };
}

describe('wms cv and wms evaluate', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'wms-cli-cv-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('cross-validates, then scores a fold model on its held-out pairs to the same numbers', async () => {
    const { run, printed, logger } = cli(cwd);
    await run('synth', '--kind', 'cells', '--out', 'cells', '--count', '12', '--width', '96', '--height', '64');
    expect(existsSync(join(cwd, 'cells', 'masks', 'cells_00012.png'))).toBe(true);
    writeFileSync(
      join(cwd, 'tiny.yaml'),
      [
        'model: { input_size: 32, base_filters: 4, depth: 2 }',
        'training: { epochs: 4, time_budget_sec: 4 }',
        'refine: { enabled: false }',
      ].join('\n'),
    );
    await run('cv', '--folds', '2', '--data-dir', 'cells', '--config', 'tiny.yaml', '--out', 'cv', '--backend', 'wasm');
    expect(process.exitCode).toBeUndefined();
    const report = JSON.parse(readFileSync(join(cwd, 'cv', 'cv-report.json'), 'utf8')) as CrossValidationReport;
    expect(report.folds).toBe(2);
    expect(report.pooled.count).toBe(12);
    expect(printed.at(-1)).toContain('## Cross-validation (2 of 2 folds, 12 pairs)');
    expect(logger.messages('info').some((m) => m.startsWith('fold 2/2 done in'))).toBe(true);

    // The held-out pairs of fold 1 as their own folder, scored by `wms evaluate`.
    const fold1 = report.perImage.filter((s) => s.fold === 1);
    const { mkdirSync, copyFileSync } = await import('node:fs');
    mkdirSync(join(cwd, 'fold1', 'images'), { recursive: true });
    mkdirSync(join(cwd, 'fold1', 'masks'), { recursive: true });
    for (const s of fold1) {
      copyFileSync(join(cwd, 'cells', 'images', `${s.id}.jpg`), join(cwd, 'fold1', 'images', `${s.id}.jpg`));
      copyFileSync(join(cwd, 'cells', 'masks', `${s.id}.png`), join(cwd, 'fold1', 'masks', `${s.id}.png`));
    }
    await run(
      'evaluate',
      '--model',
      report.perFold[0]!.modelDir,
      '--data-dir',
      'fold1',
      '--out',
      'eval',
      '--worst',
      '2',
      '--stages',
    );
    const evaluation = JSON.parse(readFileSync(join(cwd, 'eval', 'evaluation.json'), 'utf8')) as FolderEvaluation;
    expect(evaluation.summary.count).toBe(fold1.length);
    expect(evaluation.summary.mean.dice).toBeCloseTo(report.perFold[0]!.heldOut.mean.dice, 12);
    expect(evaluation.worst).toHaveLength(2);
    for (const w of evaluation.worst) expect(existsSync(join(cwd, 'eval', w.overlay!))).toBe(true);
    expect(printed.at(-1)).toContain('## Evaluation');
    // --stages: the same per-photo stage scores as the cv report's for that fold.
    const cvStages = new Map(fold1.map((s) => [s.id, s.stages]));
    for (const r of evaluation.perImage) expect(r.stages).toEqual(cvStages.get(r.id));
    expect(evaluation.stages!.misses).toEqual(report.perFold[0]!.stages!.misses);
    expect(printed.at(-1)).toMatch(/were missed by the first network/);
  });

  it('rejects a bad --folds value, naming the flag', async () => {
    const { run } = cli(cwd);
    await expect(run('cv', '--folds', '1', '--data-dir', 'cells')).rejects.toThrow(/--folds.*"1".*2 to 20/);
  });
});
