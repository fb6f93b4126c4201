/**
 * Every bad case the corruptor derives from good synthetic pairs must come back from
 * validateDataset with its own code, severity and exactly the files involved; the tricky valid
 * cases (EXIF rotation, suffix names, upper-case extensions, JPEG masks) must stay valid.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '@wms/core';
import { applyCorruption, CORRUPTION_KINDS, duplicateImage, type ExpectedProblem } from '../src/corrupt';
import { generateSynthDataset, renderQaMarkdown, validateDataset, type QaReport } from '../src';

jest.setTimeout(60_000);

describe('validateDataset on corrupted synthetic data', () => {
  let root: string;
  let report: QaReport;
  const logger = createMemoryLogger();
  const expected = new Map<string, ExpectedProblem[]>();
  const okIds: string[] = [];
  const untouched: string[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wms-qa-cases-'));
    const { pairs } = await generateSynthDataset({
      outDir: root,
      count: CORRUPTION_KINDS.length + 5,
      width: 96,
      height: 64,
      seed: 3,
    });
    for (const [i, kind] of CORRUPTION_KINDS.entries()) {
      const pair = pairs[i]!;
      expected.set(kind, await applyCorruption(kind, pair, root));
      if (kind.endsWith('-ok')) okIds.push(pair.id);
    }
    const [a, b, ...rest] = pairs.slice(CORRUPTION_KINDS.length);
    expected.set('duplicate-image', await duplicateImage(a!, b!, root));
    untouched.push(a!.id, ...rest.map((p) => p.id));
    report = await validateDataset({ root, imagesDir: 'images', masksDir: 'masks' }, { logger });
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([...CORRUPTION_KINDS.filter((k) => !k.endsWith('-ok')), 'duplicate-image'])('reports %s', (kind) => {
    const problems = expected.get(kind)!;
    expect(problems.length).toBeGreaterThan(0);
    for (const want of problems) {
      expect(report.problems).toContainEqual(
        expect.objectContaining({ code: want.code, severity: want.severity, files: want.files }),
      );
      const found = report.problems.find((p) => p.code === want.code && p.files.join() === want.files.join())!;
      for (const file of want.files) expect(found.message).toContain(file);
    }
  });

  it('reports nothing else', () => {
    const all = [...expected.values()].flat();
    const unexpected = report.problems.filter(
      (p) => !all.some((w) => w.code === p.code && w.files.join() === p.files.join()),
    );
    expect(unexpected).toEqual([]);
  });

  it('keeps the tricky but valid pairs and the untouched ones usable', () => {
    const valid = report.pairs.map((p) => p.id);
    expect(valid).toEqual(expect.arrayContaining([...okIds, ...untouched]));
    // Warnings (0/1, empty, full masks) keep a pair usable; a stray file or sub-folder next to a
    // pair does not touch the pair itself.
    const stillUsable = ['zero-one-mask', 'empty-mask', 'full-mask', 'sub-folder', 'stray-text-file'];
    expect(report.counts.validPairs).toBe(okIds.length + untouched.length + stillUsable.length);
    expect(report.stats.exifOriented).toBe(1);
    expect(report.stats.maskFormats.jpeg).toBe(2);
  });

  it('is invalid, counts errors and warnings, and logs one line per bad file', () => {
    expect(report.valid).toBe(false);
    const errors = report.problems.filter((p) => p.severity === 'error').length;
    expect(report.counts.errors).toBe(errors);
    expect(report.counts.warnings).toBe(report.problems.length - errors);
    const badFiles = new Set(report.problems.flatMap((p) => p.files));
    const annotated = logger.records
      .filter((r) => r.level === 'error' || r.level === 'warning')
      .map((r) => r.location?.file);
    expect(annotated.sort()).toEqual([...badFiles].sort());
  });

  it('renders every problem code in the markdown report', () => {
    const markdown = renderQaMarkdown(report);
    for (const code of new Set(report.problems.map((p) => p.code))) expect(markdown).toContain(`<code>${code}</code>`);
    expect(markdown).toContain('❌');
  });
});
