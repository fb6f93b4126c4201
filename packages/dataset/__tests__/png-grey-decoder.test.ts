/** The mask fast path must decode exactly what sharp (libpng) decodes, and refuse what libpng refuses. */
import sharp, { type PngOptions } from 'sharp';
import { crc32 } from 'node:zlib';
import { countGreyRows, countMaskPixels } from '../src/mask-analysis';
import { decodeGreyPng, decodeGreyPngRows, PngDamagedError } from '../src/png-grey-decoder';

function testPattern(width: number, height: number): Buffer {
  // Gradients, noise and flat runs, so libpng's adaptive filtering picks every filter type.
  const data = Buffer.alloc(width * height);
  let seed = 7;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const region = Math.floor(y / 8) % 4;
      data[y * width + x] =
        region === 0
          ? (x * 3 + y) & 0xff
          : region === 1
            ? seed & 0xff
            : region === 2
              ? x > width / 2
                ? 255
                : 0
              : (x * y) & 0xff;
    }
  }
  return data;
}

const png = (data: Buffer, width: number, height: number, options: PngOptions = {}) =>
  sharp(data, { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png(options)
    .toBuffer();

describe('decodeGreyPng', () => {
  it.each([
    [{}],
    [{ adaptiveFiltering: true }],
    [{ compressionLevel: 0 }],
    [{ compressionLevel: 9, adaptiveFiltering: true }],
  ])('decodes the same pixels as sharp with %p', async (options) => {
    const [width, height] = [67, 45];
    const file = await png(testPattern(width, height), width, height, options);
    const decoded = await decodeGreyPng(file);
    const reference = await sharp(file).extractChannel(0).raw().toBuffer();
    expect(decoded).not.toBe('unsupported');
    expect(decoded).toMatchObject({ width, height });
    expect((decoded as { data: Buffer }).data.equals(reference)).toBe(true);
  });

  it('refuses truncated and damaged files', async () => {
    const file = await png(testPattern(40, 40), 40, 40);
    await expect(decodeGreyPng(file.subarray(0, file.length - 20))).rejects.toThrow(PngDamagedError);
    await expect(decodeGreyPng(file.subarray(0, Math.floor(file.length / 2)))).rejects.toThrow(/truncated/);
    const damaged = Buffer.from(file);
    damaged[60] = damaged[60]! ^ 0xff;
    await expect(decodeGreyPng(damaged)).rejects.toThrow(/bad CRC/);
  });

  it('marks only plain files (no EXIF, no unusual chunks) as safe to skip the header read', async () => {
    const file = await png(testPattern(40, 30), 40, 30);
    const plain = await decodeGreyPng(file);
    expect(plain !== 'unsupported' && plain.plain).toBe(true);
    // An eXIf chunk (orientation) after IHDR: still decodable, but its size needs EXIF.
    const exifBody = Buffer.from('eXIfMM\0*\0\0\0\x08\0\0', 'latin1');
    const chunk = Buffer.alloc(exifBody.length + 8);
    chunk.writeUInt32BE(exifBody.length - 4, 0);
    exifBody.copy(chunk, 4);
    chunk.writeUInt32BE(crc32(exifBody), exifBody.length + 4);
    const exif = await decodeGreyPng(Buffer.concat([file.subarray(0, 33), chunk, file.subarray(33)]));
    expect(exif).not.toBe('unsupported');
    expect(exif !== 'unsupported' && exif.plain).toBe(false);
  });

  it.each([[{}], [{ adaptiveFiltering: true }]])(
    'counts rows with their filter bytes exactly like the squeezed pixels with %p',
    async (options) => {
      const data = testPattern(61, 47);
      const rows = await decodeGreyPngRows(await png(data, 61, 47, options));
      expect(rows).not.toBe('unsupported');
      if (rows !== 'unsupported') expect(countGreyRows(rows.rows, 61, 47)).toEqual(countMaskPixels(data, 1, false, 0));
    },
  );

  it('refuses images over maxPixels before inflating them', async () => {
    const file = await png(testPattern(40, 30), 40, 30);
    expect(await decodeGreyPng(file, 40 * 30 - 1)).toBe('unsupported');
    expect(await decodeGreyPng(file, 40 * 30)).not.toBe('unsupported');
  });

  it('steps aside for formats it does not handle', async () => {
    const rgb = await sharp(Buffer.alloc(16 * 16 * 3), { raw: { width: 16, height: 16, channels: 3 } })
      .png()
      .toBuffer();
    const palette = await sharp(Buffer.alloc(16 * 16 * 3), { raw: { width: 16, height: 16, channels: 3 } })
      .png({ palette: true })
      .toBuffer();
    const deep = await sharp(Buffer.alloc(16 * 16 * 2), { raw: { width: 16, height: 16, channels: 1 } })
      .toColourspace('grey16')
      .png()
      .toBuffer();
    for (const file of [rgb, palette, deep]) expect(await decodeGreyPng(file)).toBe('unsupported');
    expect(await decodeGreyPng(Buffer.from('not a png'))).toBe('unsupported');
  });
});
