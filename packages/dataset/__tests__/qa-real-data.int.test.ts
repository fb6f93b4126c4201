/** The real water-meter sample (100 pairs, JPEG masks, 19 EXIF-rotated photos) must validate. */
import { createMemoryLogger } from '@wms/core';
import { describeWithRealData, REAL_DATASET_DIR } from '@wms/test-support';
import { validateDataset, type QaReport } from '../src';

jest.setTimeout(60_000);

describeWithRealData('validateDataset on the real water-meter dataset', () => {
  let report: QaReport;
  beforeAll(async () => {
    report = await validateDataset(
      { root: REAL_DATASET_DIR, imagesDir: 'images', masksDir: 'masks' },
      { logger: createMemoryLogger() },
    );
  });

  it('finds 100 valid pairs, no problem', () => {
    expect(report.problems).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.counts).toMatchObject({ images: 100, masks: 100, candidatePairs: 100, validPairs: 100 });
  });

  it('matches sizes only after EXIF rotation of the 19 rotated photos', () => {
    expect(report.stats.exifOriented).toBe(19);
    expect(report.stats.resolutions['1000x1333']).toBe(76);
    expect(report.stats.resolutions['1333x1000']).toBe(12);
  });

  it('measures the foreground as SOURCE.md describes it (0.4–7.5 %, median 2 %)', () => {
    const { min, median, max } = report.stats.coverage;
    expect(min).toBeCloseTo(0.004, 3);
    expect(median).toBeCloseTo(0.02, 2);
    expect(max).toBeCloseTo(0.075, 3);
    expect(report.stats.maskFormats).toEqual({ jpeg: 100 });
  });
});
