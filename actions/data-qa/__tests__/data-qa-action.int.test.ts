/** runDataQaAction with a test context: outputs, report files, summary and the failure message. */
import { testActionContext } from '@wms/test-support';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInputs } from '@wms/core';
import { applyCorruption, generateSynthDataset, type QaReport } from '@wms/dataset';
import { runDataQaAction } from '../src/main';
import { spec } from '../src/spec';

jest.setTimeout(60_000);

function context(workspace: string) {
  const ctx = testActionContext(workspace);
  return { ctx, logger: ctx.logger };
}

const inputs = (raw: Record<string, string>) => parseInputs(spec, (name) => raw[name] ?? '');

describe('data-qa action', () => {
  let workspace: string;
  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'wms-data-qa-action-'));
    await generateSynthDataset({ outDir: join(workspace, 'good'), count: 4, width: 96, height: 64 });
    const { pairs } = await generateSynthDataset({ outDir: join(workspace, 'bad'), count: 4, width: 96, height: 64 });
    await applyCorruption('size-mismatch', pairs[0]!, join(workspace, 'bad'));
    await applyCorruption('missing-mask', pairs[1]!, join(workspace, 'bad'));
  });
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it('passes a valid dataset and writes both reports', async () => {
    const { ctx } = context(workspace);
    const result = await runDataQaAction(inputs({ 'dataset-dir': 'good', 'report-dir': 'qa-good' }), ctx);
    expect(result.failure).toBeUndefined();
    expect(result.outputs).toEqual({
      valid: true,
      pairs: 4,
      errors: 0,
      warnings: 0,
      'report-path': join(workspace, 'qa-good', 'qa-report.json'),
    });
    const json = JSON.parse(readFileSync(result.outputs['report-path'] as string, 'utf8')) as QaReport;
    expect(json).toMatchObject({ schemaVersion: 1, valid: true, counts: { validPairs: 4 } });
    expect(existsSync(join(workspace, 'qa-good', 'qa-report.md'))).toBe(true);
    expect(result.summary).toContain('## Data QA: ✅ 4 pairs valid');
  });

  it('fails an invalid dataset with what to fix, annotating each bad file relative to the workspace', async () => {
    const { ctx, logger } = context(workspace);
    const result = await runDataQaAction(
      inputs({ 'dataset-dir': 'bad', 'images-dir': 'images', 'masks-dir': 'masks' }),
      ctx,
    );
    expect(result.outputs).toMatchObject({ valid: false, pairs: 2, errors: 2, warnings: 0 });
    expect(result.failure).toMatch(
      /^Data QA found 2 error\(s\) in the dataset \(1 mask-missing, 1 size-mismatch\); 2 of 3 pairs are usable\. To fix: add the missing masks; resize or re-export/,
    );
    const annotated = logger.records
      .filter((r) => r.level === 'error')
      .map((r) => r.location?.file)
      .sort();
    expect(annotated).toEqual([
      'bad/images/synth_00001.jpg',
      'bad/images/synth_00002.jpg',
      'bad/masks/synth_00001.png',
    ]);
    expect(result.summary).toContain('<code>size-mismatch</code>');
  });

  it('rejects a bad resolution list with the offending value', async () => {
    const { ctx } = context(workspace);
    await expect(
      runDataQaAction(inputs({ 'dataset-dir': 'good', resolutions: '96x64\n96 by 64' }), ctx),
    ).rejects.toThrow(/"96 by 64" is not WIDTHxHEIGHT/);
  });
});
