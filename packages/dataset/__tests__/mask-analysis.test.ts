import { countMaskPixels, judgeMask } from '../src/mask-analysis';

const grey = (values: number[]): Uint8Array => Uint8Array.from(values);

describe('countMaskPixels + judgeMask', () => {
  it('counts long runs and odd leftovers alike', () => {
    const data = new Uint8Array(1027).fill(255, 0, 515);
    data[600] = 7;
    const counts = countMaskPixels(data, 1, false, 0);
    expect([counts.histogram[255], counts.histogram[0], counts.histogram[7], counts.total]).toEqual([
      515, 511, 1, 1027,
    ]);
  });

  it('reads a lossless mask strictly: anything but 0 and 255 is non-binary', () => {
    const verdict = judgeMask(countMaskPixels(grey([0, 255, 255, 128, 3]), 1, false, 0), false, 32);
    expect(verdict).toMatchObject({ zeroOne: false, nonBinary: 2, foreground: 3, offendingValues: [3, 128] });
  });

  it('recognises 0/1 masks and counts 1 as foreground', () => {
    const verdict = judgeMask(countMaskPixels(grey([0, 1, 1, 0]), 1, false, 0), false, 32);
    expect(verdict).toMatchObject({ zeroOne: true, nonBinary: 0, foreground: 2 });
  });

  it('gives lossy masks a tolerance around 0 and 255', () => {
    const verdict = judgeMask(countMaskPixels(grey([0, 20, 32, 33, 222, 223, 250]), 1, false, 32), true, 32);
    expect(verdict).toMatchObject({ ambiguous: 2, nonBinary: 0, offendingValues: [33, 222] });
  });

  it('counts colour pixels whose channels disagree, ignoring alpha', () => {
    // RGBA: equal, equal-with-alpha-0, red only, small JPEG-like spread.
    const data = grey([9, 9, 9, 255, 200, 200, 200, 0, 255, 0, 0, 255, 250, 255, 245, 255]);
    expect(countMaskPixels(data, 4, true, 0).channelMismatch).toBe(2);
    expect(countMaskPixels(data, 4, true, 10).channelMismatch).toBe(1);
  });
});
