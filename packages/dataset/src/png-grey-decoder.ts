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

export interface GreyPixels {
  data: Buffer;
  width: number;
  height: number;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Reverses PNG row filters for one byte per pixel, in place: output row y goes to y×width, just
 * behind the filtered row it is read from (at y×(width+1)+1), so no byte is overwritten before it
 * is read and no second megabyte-sized buffer is needed.
 */
function unfilterInPlace(buf: Buffer, width: number, height: number): Buffer {
  for (let y = 0; y < height; y++) {
    const filter = buf[y * (width + 1)]!;
    const src = y * (width + 1) + 1;
    const row = y * width;
    const up = row - width;
    if (filter === 0 || (filter === 2 && y === 0)) {
      buf.copy(buf, row, src, src + width);
    } else if (filter === 1) {
      let left = 0;
      for (let x = 0; x < width; x++) left = buf[row + x] = (buf[src + x]! + left) & 0xff;
    } else if (filter === 2) {
      for (let x = 0; x < width; x++) buf[row + x] = (buf[src + x]! + buf[up + x]!) & 0xff;
    } else if (filter === 3) {
      for (let x = 0; x < width; x++) {
        const left = x > 0 ? buf[row + x - 1]! : 0;
        const above = y > 0 ? buf[up + x]! : 0;
        buf[row + x] = (buf[src + x]! + ((left + above) >> 1)) & 0xff;
      }
    } else if (filter === 4) {
      for (let x = 0; x < width; x++) {
        const left = x > 0 ? buf[row + x - 1]! : 0;
        const above = y > 0 ? buf[up + x]! : 0;
        const diag = x > 0 && y > 0 ? buf[up + x - 1]! : 0;
        buf[row + x] = (buf[src + x]! + paeth(left, above, diag)) & 0xff;
      }
    } else {
      throw new PngDamagedError(`row ${y} has unknown filter type ${filter}`);
    }
  }
  return buf.subarray(0, width * height);
}

export async function decodeGreyPng(bytes: Buffer): Promise<GreyPixels | 'unsupported'> {
  if (!crc32 || bytes.length < 8 || !bytes.subarray(0, 8).equals(SIGNATURE)) return 'unsupported';
  let offset = 8;
  let header: { width: number; height: number } | undefined;
  const idat: Buffer[] = [];
  let ended = false;
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
      const [depth, colourType, , , interlace] = body.subarray(8, 13);
      if (depth !== 8 || colourType !== 0 || interlace !== 0) return 'unsupported';
      header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4) };
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      ended = true;
    } else if (type === 'PLTE' || type === 'tRNS') {
      return 'unsupported';
    }
    offset = end;
  }
  if (!header) throw new PngDamagedError('no IHDR chunk');
  const { width, height } = header;
  let raw: Buffer;
  try {
    // Bounded output: a small file cannot inflate into more than its header promises.
    raw = await inflate(Buffer.concat(idat), { maxOutputLength: height * (width + 1) + 1 });
  } catch (error) {
    throw new PngDamagedError(`image data does not inflate (${(error as Error).message})`);
  }
  if (raw.length !== height * (width + 1)) {
    throw new PngDamagedError(
      `image data holds ${raw.length} bytes, expected ${height * (width + 1)} for ${width}×${height}`,
    );
  }
  return { data: unfilterInPlace(raw, width, height), width, height };
}
