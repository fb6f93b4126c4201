import { QA_SCHEMA_VERSION, renderQaMarkdown, type QaProblem, type QaReport } from '../src';

function reportWith(problems: QaProblem[], resolutions: Record<string, number>): QaReport {
  const errors = problems.filter((p) => p.severity === 'error').length;
  return {
    schemaVersion: QA_SCHEMA_VERSION,
    valid: errors === 0,
    root: '/data',
    imagesDir: 'images',
    masksDir: 'masks',
    counts: { images: 70, masks: 70, candidatePairs: 70, validPairs: 10, errors, warnings: problems.length - errors },
    pairs: [],
    problems,
    stats: {
      resolutions,
      coverage: { min: 0.01, median: 0.02, max: 0.3, mean: 0.03, outliers: [{ id: 'p7', coverage: 0.3 }] },
      exifOriented: 2,
      maskFormats: { png: 70 },
    },
    options: {
      resolution: { minSide: 32, maxSide: 10000, exact: [] },
      maskTolerance: 32,
      maxAmbiguousFraction: 0.01,
      emptyMask: 'warning',
      fullMask: 'warning',
      maxPixels: 40_000_000,
    },
  };
}

describe('renderQaMarkdown', () => {
  const problems: QaProblem[] = Array.from({ length: 60 }, (_, i) => ({
    severity: 'error',
    code: 'size-mismatch',
    message: `images/p${i}.jpg is 10×10 but its mask masks/p${i}.png is 12×10`,
    files: [`images/p${i}.jpg`, `masks/p${i}.png`],
  }));
  problems.push({
    severity: 'warning',
    code: 'mask-empty',
    message: 'masks/e.png has no foreground pixel',
    files: ['masks/e.png'],
  });
  const sizes = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`${100 + i}x100`, 14 - i]));
  const markdown = renderQaMarkdown(reportWith(problems, sizes));

  it('states the verdict and the counts', () => {
    expect(markdown).toMatch(/^## Data QA: ❌ 60 errors/);
    expect(markdown).toContain('| 70 | 70 | 70 | 10 | 60 | 1 | 2 |');
  });

  it('folds long problem lists behind a count and lists short ones openly', () => {
    expect(markdown).toContain('<details><summary>❌ <code>size-mismatch</code>: 60 errors</summary>');
    expect(markdown).toContain('- images/p0.jpg is 10×10');
    expect(markdown).toContain('- … and 10 more');
    expect(markdown).toContain('⚠️ <code>mask-empty</code>: 1 warning\n\n- masks/e.png has no foreground pixel');
  });

  it('shows the top resolutions and folds the rest into one row', () => {
    expect(markdown).toContain('| 100×100 | 14 |');
    expect(markdown).toContain('| … 4 more sizes | 10 |');
    expect(markdown).not.toContain('113×100');
  });

  it('reports coverage as percentages with outliers', () => {
    expect(markdown).toContain('| 1.00 % | 2.00 % | 3.00 % | 30.00 % | 1 |');
    expect(markdown).toContain('- p7: 30.00 %');
  });
});
