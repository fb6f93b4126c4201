/**
 * The committed data-qa bundle run the way the runner runs it (INPUT_* variables, runner files,
 * no node_modules; sharp installed by the bundle into the tool cache), on a valid and an invalid
 * synthetic dataset in the workspace.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyCorruption, generateSynthDataset } from '@wms/dataset';
import { e2eNodes, runActionBundle } from '@wms/test-support';

jest.setTimeout(300_000);

let workspace: string;
beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'wms-data-qa-e2e-'));
  await generateSynthDataset({ outDir: join(workspace, 'good'), count: 3, width: 96, height: 64 });
  const { pairs } = await generateSynthDataset({ outDir: join(workspace, 'bad'), count: 3, width: 96, height: 64 });
  await applyCorruption('truncated-image', pairs[0]!, join(workspace, 'bad'));
  const named = await generateSynthDataset({ outDir: join(workspace, 'names'), count: 2, width: 96, height: 64 });
  renameSync(named.pairs[0]!.image, join(workspace, 'names/images/line\nbreak.jpg'));
  renameSync(named.pairs[0]!.mask, join(workspace, 'names/masks/line\nbreak.png'));
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe.each(e2eNodes())('data-qa bundle on %s', (node) => {
  it('passes a valid dataset, setting outputs, the summary and the report', async () => {
    const run = await runActionBundle({
      action: 'data-qa',
      node,
      workspace,
      inputs: { 'dataset-dir': 'good', 'report-dir': `qa-${node}` },
    });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({
      valid: 'true',
      pairs: '3',
      errors: '0',
      warnings: '0',
      'report-path': join(workspace, `qa-${node}`, 'qa-report.json'),
    });
    expect(run.summary).toContain('## Data QA: ✅ 3 pairs valid');
    expect(JSON.parse(readFileSync(run.outputs['report-path']!, 'utf8'))).toMatchObject({
      schemaVersion: 1,
      valid: true,
    });
  });

  it('fails an invalid dataset with an annotation on the damaged file', async () => {
    const run = await runActionBundle({ action: 'data-qa', node, workspace, inputs: { 'dataset-dir': 'bad' } });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ valid: 'false', pairs: '2', errors: '1' });
    expect(run.annotations).toContainEqual(
      expect.objectContaining({
        level: 'error',
        file: 'bad/images/synth_00001.jpg',
        message: expect.stringContaining('damaged or truncated'),
      }),
    );
    expect(run.stdout).toContain('::error::Data QA found 1 error(s) in the dataset (1 unreadable-file)');
  });

  it('refuses a file name with a newline without breaking the log, the annotations or the summary', async () => {
    const run = await runActionBundle({ action: 'data-qa', node, workspace, inputs: { 'dataset-dir': 'names' } });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ valid: 'false', pairs: '1', errors: '2' });
    expect(run.annotations).toContainEqual(
      expect.objectContaining({
        level: 'error',
        file: 'names/images/line\\nbreak.jpg',
        message: expect.stringContaining('control character'),
      }),
    );
    // Every workflow command is one line: the name never splits one.
    for (const line of run.stdout.split('\n').filter((l) => l.startsWith('::')))
      expect(line).toMatch(/^::[a-z-]+( [^:]*)?::/);
    expect(run.stdout).toContain('(2 unsafe-file-name)');
    expect(run.summary).toContain('images/line\\\\nbreak.jpg');
  });
});
