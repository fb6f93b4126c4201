/** The JPEG header shortcut must agree with sharp's header read, and step aside when unsure. */
import sharp from 'sharp';
import { plainJpegSize } from '../src/jpeg-header';

const jpeg = (width: number, height: number, withExif = false) => {
  let pipeline = sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 90 } } }).jpeg();
  if (withExif) pipeline = pipeline.withMetadata({ orientation: 6 });
  return pipeline.toBuffer();
};

describe('plainJpegSize', () => {
  it.each([
    [37, 21],
    [1024, 768],
    [1, 4000],
  ])('reads the size sharp reads for %ix%i', async (width, height) => {
    const file = await jpeg(width, height);
    const meta = await sharp(file).metadata();
    expect(plainJpegSize(file)).toEqual({ width: meta.width, height: meta.height });
  });

  it('reads progressive JPEGs too', async () => {
    const file = await sharp({ create: { width: 50, height: 40, channels: 3, background: '#123456' } })
      .jpeg({ progressive: true })
      .toBuffer();
    expect(plainJpegSize(file)).toEqual({ width: 50, height: 40 });
  });

  it('steps aside for EXIF (orientation), truncated headers and non-JPEG bytes', async () => {
    expect(plainJpegSize(await jpeg(40, 30, true))).toBeUndefined();
    const file = await jpeg(40, 30);
    for (const cut of [3, 20, 100, 160]) expect(plainJpegSize(file.subarray(0, cut))).toBeUndefined();
    expect(plainJpegSize(Buffer.from('not a jpeg at all'))).toBeUndefined();
    expect(plainJpegSize(Buffer.alloc(0))).toBeUndefined();
  });

  it('steps aside for a second frame header', async () => {
    const file = await jpeg(40, 30);
    const sof = file.indexOf(Buffer.from([0xff, 0xc0]));
    const length = file.readUInt16BE(sof + 2);
    const segment = file.subarray(sof, sof + 2 + length);
    const twice = Buffer.concat([file.subarray(0, sof), segment, segment, file.subarray(sof + 2 + length)]);
    expect(plainJpegSize(twice)).toBeUndefined();
  });
});
