/** Options change verdicts as documented, and impossible settings fail before any file is read. */
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUserError, silentLogger } from '@wms/core';
import { applyCorruption } from '../src/corrupt';
import { discoverPairs, generateSynthDataset, parseResolution, validateDataset, type Pair } from '../src';

jest.setTimeout(30_000);

let root: string;
let pairs: Pair[];
const deps = { logger: silentLogger };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wms-qa-options-'));
  ({ pairs } = await generateSynthDataset({ outDir: root, count: 4, width: 80, height: 48, seed: 11 }));
  await applyCorruption('empty-mask', pairs[0]!, root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const validate = (extra: object = {}) =>
  validateDataset({ root, imagesDir: 'images', masksDir: 'masks', ...extra }, deps);

describe('validateDataset options', () => {
  it('treats an empty mask as a warning by default and as an error when asked', async () => {
    const lenient = await validate();
    expect(lenient.valid).toBe(true);
    expect(lenient.problems).toEqual([expect.objectContaining({ code: 'mask-empty', severity: 'warning' })]);
    const strict = await validate({ emptyMask: 'error' });
    expect(strict.valid).toBe(false);
    expect(strict.problems).toEqual([
      expect.objectContaining({ code: 'mask-empty', severity: 'error', files: [`masks/${pairs[0]!.id}.png`] }),
    ]);
    expect(strict.pairs.map((p) => p.id)).not.toContain(pairs[0]!.id);
  });

  it('refuses files over the pixel limit before decoding them', async () => {
    const report = await validate({ maxPixels: 80 * 48 - 1 });
    const tooBig = report.problems.filter((p) => p.code === 'too-many-pixels');
    expect(tooBig.map((p) => p.files[0]).sort()).toEqual(
      pairs.flatMap((p) => [`images/${p.id}.jpg`, `masks/${p.id}.png`]).sort(),
    );
    expect(tooBig[0]!.message).toMatch(/80×48 \(3,840 pixels\), over the limit of 3,839/);
    expect(report.pairs).toEqual([]);
  });

  it('applies the resolution policy: sides and an exact list', async () => {
    const sides = await validate({ resolution: { minSide: 50 } });
    expect(sides.problems.filter((p) => p.code === 'resolution-out-of-policy')).toHaveLength(4);
    expect(sides.problems.find((p) => p.code === 'resolution-out-of-policy')!.message).toContain(
      'sides from 50 to 10000 px',
    );
    const exact = await validate({ resolution: { exact: [parseResolution('100x48'), parseResolution('80×48')] } });
    expect(exact.problems.filter((p) => p.code === 'resolution-out-of-policy')).toEqual([]);
    const wrong = await validate({ resolution: { exact: [parseResolution('100x48')] } });
    expect(wrong.problems.filter((p) => p.code === 'resolution-out-of-policy')).toHaveLength(4);
  });

  it.each([
    [{ maskTolerance: 200 }, /maskTolerance is 200; expected an integer from 0 to 127/],
    [{ maxAmbiguousFraction: 2 }, /maxAmbiguousFraction is 2/],
    [{ resolution: { minSide: 100, maxSide: 50 } }, /resolution.maxSide is 50; expected an integer >= minSide \(100\)/],
    [{ concurrency: 0 }, /concurrency is 0/],
    [{ emptyMask: 'fatal' }, /emptyMask is "fatal"; expected 'warning' or 'error'/],
  ])('rejects %p with a UserError naming the option', async (extra, message) => {
    const error = await validate(extra).catch((e: unknown) => e);
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('rejects malformed resolutions', () => {
    expect(() => parseResolution('100 by 48')).toThrow(/"100 by 48" is not WIDTHxHEIGHT/);
  });
});

describe('an empty dataset', () => {
  it('is invalid: there is nothing to train on', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'wms-qa-nopairs-'));
    try {
      mkdirSync(join(empty, 'images'));
      mkdirSync(join(empty, 'masks'));
      const report = await validateDataset({ root: empty }, deps);
      expect(report.valid).toBe(false);
      expect(report.problems).toEqual([expect.objectContaining({ code: 'no-pairs', files: ['images', 'masks'] })]);
    } finally {
      rmSync(empty, { recursive: true });
    }
  });
});

describe('discoverPairs folders', () => {
  it('refuses folders outside the root, by path or through a symlink', async () => {
    await expect(discoverPairs({ root, imagesDir: '../elsewhere' })).rejects.toThrow(/outside the dataset root/);
    const outside = mkdtempSync(join(tmpdir(), 'wms-qa-outside-'));
    symlinkSync(outside, join(root, 'linked'));
    try {
      await expect(discoverPairs({ root, imagesDir: 'linked', masksDir: 'masks' })).rejects.toThrow(
        /resolves to .*outside the dataset root/,
      );
    } finally {
      rmSync(join(root, 'linked'));
      rmSync(outside, { recursive: true });
    }
  });

  it('says which folders it looked for when none exists', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'wms-qa-empty-'));
    try {
      await expect(discoverPairs({ root: empty })).rejects.toThrow(
        /No images folder: looked for .*WMS\/data\/training\/images and .*images/,
      );
    } finally {
      rmSync(empty, { recursive: true });
    }
  });

  it('prefers the WMS/data/training layout and falls back to images/ and masks/', async () => {
    const fallback = await discoverPairs({ root });
    expect(fallback.imagesDir).toBe(join(root, 'images'));
    const layout = mkdtempSync(join(tmpdir(), 'wms-qa-layout-'));
    try {
      await generateSynthDataset({ outDir: layout, count: 2, width: 64, height: 48 });
      mkdirSync(join(layout, 'WMS/data/training'), { recursive: true });
      renameSync(join(layout, 'images'), join(layout, 'WMS/data/training/images'));
      renameSync(join(layout, 'masks'), join(layout, 'WMS/data/training/masks'));
      const found = await discoverPairs({ root: layout });
      expect(found.pairs.map((p) => p.id)).toEqual(['synth_00001', 'synth_00002']);
      expect(found.masksDir).toBe(join(layout, 'WMS/data/training/masks'));
    } finally {
      rmSync(layout, { recursive: true });
    }
  });
});
