/** The `wms` program driven in-process, with its output captured, on generated data. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, noProgress } from '@wms/core';
import { buildProgram } from '../src/program';
import type { CliContext } from '../src/cli-options';

function cli(cwd: string) {
  const printed: string[] = [];
  const logger = createMemoryLogger();
  const ctx: CliContext = { logger, progress: () => noProgress, env: {}, cwd, print: (m) => void printed.push(m) };
  const run = (...args: string[]) => buildProgram(ctx).parseAsync(['node', 'wms', ...args]);
  return { printed, logger, run };
}

jest.setTimeout(180_000);

afterEach(() => {
  process.exitCode = undefined;
});

describe('wms CLI', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'wms-cli-'));

  it('synth then qa: a valid dataset and both reports', async () => {
    const { run, printed } = cli(cwd);
    await run('synth', '--out', 'data', '--count', '6', '--width', '160', '--height', '120');
    await run('qa', '--data-dir', 'data', '--report-dir', 'reports');
    expect(process.exitCode).toBeUndefined();
    expect(printed.at(-1)).toContain('6 pairs valid');
    const report = JSON.parse(readFileSync(join(cwd, 'reports', 'qa-report.json'), 'utf8'));
    expect(report.valid).toBe(true);
    expect(report.counts.validPairs).toBe(6);
  });

  it('qa fails (exit code 1) and names the file when a mask is missing', async () => {
    const { run, logger } = cli(cwd);
    rmSync(join(cwd, 'data', 'masks', 'synth_00002.png'));
    await run('qa', '--data-dir', 'data', '--report-dir', 'reports');
    expect(process.exitCode).toBe(1);
    expect(logger.messages('error').join('\n')).toContain('synth_00002');
  });

  it('models says when nothing is registered yet', async () => {
    const { run, printed } = cli(cwd);
    await run('models');
    expect(printed.at(-1)).toBe(`No versions of 'water-meter' in ${join(cwd, '.wms', 'registry')} yet.`);
  });

  it('pipeline --data: every stage in order in the closing table, the GitHub stages as dry runs, and where things went', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wms-cli-pipeline-'));
    const { run, printed, logger } = cli(dir);
    await run('synth', '--out', 'meters', '--count', '24', '--width', '160', '--height', '120', '--seed', '5');
    writeFileSync(
      join(dir, 'tiny.yaml'),
      'model: { input_size: 32, base_filters: 4, depth: 2 }\ntraining: { epochs: 3, learning_rate: 0.01, time_budget_sec: 20 }\nrefine: { enabled: false }\n',
    );
    await run('pipeline', '--data', 'meters', '--config', 'tiny.yaml', '--backend', 'wasm');
    const table = printed.at(-1)!;
    expect(table.startsWith('## Pipeline\n')).toBe(true);
    const rows = table
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| stage') && !l.startsWith('| ---'))
      .map((l) => l.split(' | ').map((c) => c.replace(/^\| |\s*\|$/g, '')));
    expect(rows.map((r) => r[0])).toEqual([
      'data-qa',
      'open-data-pr',
      'start-infra',
      'train',
      'quality-gate',
      'promote',
      'report-results',
      'auto-merge',
      'stop-infra',
    ]);
    const byStage = Object.fromEntries(rows.map((r) => [r[0], r]));
    expect(byStage['data-qa']).toEqual([
      'data-qa',
      'valid',
      expect.stringMatching(/ms|s$/),
      '24 pairs, 0 errors, 0 warnings',
    ]);
    expect(byStage['train']![1]).toMatch(/^wasm, \d+ epochs \(best \d+\)$/);
    expect(byStage['train']![3]).toMatch(/^validation Dice \d\.\d{4}, IoU \d\.\d{4}; test Dice/);
    expect(byStage['open-data-pr']![1]).toMatch(/^dry run: would open the data pull request data\/.+ → main$/);
    expect(byStage['start-infra']![1]).toContain(`here: local registry at ${join(dir, '.wms', 'registry')}`);
    expect(byStage['start-infra']![2]).toBe('—');
    const gate = byStage['quality-gate']!;
    if (gate[1] === 'passed: first model') {
      expect(byStage['promote']![1]).toBe('water-meter v1 is the champion');
      expect(byStage['auto-merge']![1]).toMatch(/^dry run: would set wms\/quality-gate = success, approve/);
      expect(existsSync(join(dir, 'model-metadata.json'))).toBe(true);
    } else {
      expect(gate[1]).toMatch(/^not passed: /);
      expect(byStage['promote']![1]).toBe('skipped: the gate did not pass');
      expect(process.exitCode).toBe(1);
    }
    expect(byStage['report-results']![1]).toBe('dry run: would post the results comment on the data pull request');
    expect(table).toMatch(/- gate-result\.json \(per-photo scores\): `.*\/gate\/gate-result\.json`/);
    const requests = logger.messages('info').filter((m) => m.startsWith('[dry run] '));
    expect(requests).toContainEqual(expect.stringMatching(/^\[dry run\] POST \/repos\/your-org\/wms-pipeline\/pulls /));
    expect(requests).toContainEqual(
      expect.stringMatching(/^\[dry run\] POST \/repos\/your-org\/wms-pipeline\/statuses\//),
    );
  });
});
