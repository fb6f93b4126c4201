import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The real water-meter dataset lives beside the project in ../shared (never copied in).
 * Tests that need it use `describeWithRealData`, which skips with a message on a fresh clone.
 */
export const REAL_DATASET_DIR = resolve(__dirname, '../../../../shared/datasets/water-meters');
export const hasRealData =
  existsSync(resolve(REAL_DATASET_DIR, 'images')) && existsSync(resolve(REAL_DATASET_DIR, 'masks'));

export const describeWithRealData: jest.Describe = hasRealData
  ? describe
  : (((name: string, fn: () => void) =>
      describe.skip(
        `${name} [skipped: real dataset not found at ${REAL_DATASET_DIR}]`,
        fn,
      )) as unknown as jest.Describe);

if (!hasRealData && process.env.WMS_QUIET_SKIP !== '1') {
  process.stderr.write(`note: ${REAL_DATASET_DIR} is absent, so tests on the real dataset are skipped.\n`);
}
