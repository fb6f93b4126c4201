/**
 * A strict decoder for the common mask format only: 8-bit greyscale, non-interlaced PNG. It
 * checks every chunk's CRC, requires IEND and a complete zlib stream (so truncated or damaged
 * files fail as they do in libpng), inflates on libuv's threads and unfilters in JS. For masks
 * this is ~3× cheaper than a sharp pipeline; anything else returns 'unsupported' and goes
 * through sharp.
 */
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';

const inflate = promisify(zlib.inflate);
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
// zlib.crc32 arrived in Node 20.15 / 22.2; without it the fast path steps aside.
const crc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

export class PngDamagedError extends Error {}

interface GreyHeader {
  width: number;
  height: number;
  /**
   * Only IHDR (first, with valid fields), pHYs, consecutive IDATs and IEND: a file whose header
   * any PNG reader accepts and that has no EXIF orientation, so its size is `width`×`height`
   * and the separate header read (sharp's metadata) can be skipped.
   */
  plain: boolean;
}

export interface GreyPixels extends GreyHeader {
  data: Buffer;
}

/** Unfiltered rows as stored: each row is its filter-type byte followed by `width` pixels. */
export interface GreyRows extends GreyHeader {
  rows: Buffer;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Reverses PNG row filters for one byte per pixel, in place and where the rows lie: row y keeps
 * its filter-type byte at y×(width+1) and its pixels right after it. Each byte depends only on
 * bytes to its left and in the row above, which are already unfiltered, so no copy is needed.
 */
function unfilterRows(buf: Buffer, width: number, height: number): void {
  const stride = width + 1;
  for (let y = 0; y < height; y++) {
    const filter = buf[y * stride]!;
    const row = y * stride + 1;
    const up = row - stride;
    if (filter === 0 || (filter === 2 && y === 0)) {
      continue;
    } else if (filter === 1) {
      let left = 0;
      for (let x = 0; x < width; x++) left = buf[row + x] = (buf[row + x]! + left) & 0xff;
    } else if (filter === 2) {
      for (let x = 0; x < width; x++) buf[row + x] = (buf[row + x]! + buf[up + x]!) & 0xff;
    } else if (filter === 3) {
      for (let x = 0; x < width; x++) {
        const left = x > 0 ? buf[row + x - 1]! : 0;
        const above = y > 0 ? buf[up + x]! : 0;
        buf[row + x] = (buf[row + x]! + ((left + above) >> 1)) & 0xff;
      }
    } else if (filter === 4) {
      for (let x = 0; x < width; x++) {
        const left = x > 0 ? buf[row + x - 1]! : 0;
        const above = y > 0 ? buf[up + x]! : 0;
        const diag = x > 0 && y > 0 ? buf[up + x - 1]! : 0;
        buf[row + x] = (buf[row + x]! + paeth(left, above, diag)) & 0xff;
      }
    } else {
      throw new PngDamagedError(`row ${y} has unknown filter type ${filter}`);
    }
  }
}

/**
 * `maxPixels` (optional) makes images with more pixels 'unsupported' before anything is
 * inflated, so a caller that skips the header check still never inflates a decompression bomb.
 */
export async function decodeGreyPngRows(bytes: Buffer, maxPixels = Infinity): Promise<GreyRows | 'unsupported'> {
  if (!crc32 || bytes.length < 8 || !bytes.subarray(0, 8).equals(SIGNATURE)) return 'unsupported';
  let offset = 8;
  let header: { width: number; height: number } | undefined;
  const idat: Buffer[] = [];
  let ended = false;
  let plain = true;
  let previous = '';
  while (!ended) {
    if (offset + 12 > bytes.length) throw new PngDamagedError('file ends before the IEND chunk (truncated)');
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (end > bytes.length) throw new PngDamagedError(`chunk ${type} runs past the end of the file (truncated)`);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== bytes.readUInt32BE(offset + 8 + length)) {
      throw new PngDamagedError(`chunk ${type} has a bad CRC (damaged)`);
    }
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      const [depth, colourType, compression, filterMethod, interlace] = body.subarray(8, 13);
      if (depth !== 8 || colourType !== 0 || interlace !== 0) return 'unsupported';
      header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4) };
      const sideOk = (side: number): boolean => side >= 1 && side <= 0x7fffffff;
      plain &&=
        offset === 8 &&
        length === 13 &&
        compression === 0 &&
        filterMethod === 0 &&
        sideOk(header.width) &&
        sideOk(header.height);
      if (header.width * header.height > maxPixels) return 'unsupported';
    } else if (type === 'IDAT') {
      plain &&= header !== undefined && (idat.length === 0 || previous === 'IDAT');
      idat.push(body);
    } else if (type === 'IEND') {
      plain &&= length === 0;
      ended = true;
    } else if (type === 'PLTE' || type === 'tRNS') {
      return 'unsupported';
    } else {
      plain &&= type === 'pHYs' && length === 9 && body[8]! <= 1 && idat.length === 0;
    }
    previous = type;
    offset = end;
  }
  if (!header) throw new PngDamagedError('no IHDR chunk');
  const { width, height } = header;
  plain &&= idat.length > 0;
  const expected = height * (width + 1);
  let raw: Buffer;
  try {
    // Bounded output: a small file cannot inflate into more than its header promises. One
    // output chunk of the expected size (+1 to see the stream end) makes this a single job on
    // libuv's pool; the default 16 KiB chunks cost ~50 round trips through the main thread and
    // a concat, which made inflating a 1024×768 mask 8× slower.
    raw = await inflate(Buffer.concat(idat), {
      maxOutputLength: expected + 1,
      chunkSize: Math.max(zlib.constants.Z_MIN_CHUNK, expected + 1),
    });
  } catch (error) {
    throw new PngDamagedError(`image data does not inflate (${(error as Error).message})`);
  }
  if (raw.length !== expected) {
    throw new PngDamagedError(`image data holds ${raw.length} bytes, expected ${expected} for ${width}×${height}`);
  }
  unfilterRows(raw, width, height);
  return { rows: raw, width, height, plain };
}

/** The pixels, row after row (the filter-type bytes squeezed out, in place). */
export async function decodeGreyPng(bytes: Buffer, maxPixels = Infinity): Promise<GreyPixels | 'unsupported'> {
  const decoded = await decodeGreyPngRows(bytes, maxPixels);
  if (decoded === 'unsupported') return decoded;
  const { rows, width, height, plain } = decoded;
  for (let y = 0; y < height; y++) rows.copy(rows, y * width, y * (width + 1) + 1, (y + 1) * (width + 1));
  return { data: rows.subarray(0, width * height), width, height, plain };
}
