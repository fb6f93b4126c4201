/** The `wms` program driven in-process, with its output captured, on generated data. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
});
