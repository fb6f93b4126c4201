/**
 * Opens one image or mask: sniffs the format, reads the header, refuses oversized images before
 * decoding, then decodes every pixel (a header read would miss truncated files). Returns facts
 * or the problem that stops this file from being used.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { sniffImageFormat, type SniffedFormat } from './file-kinds';
import { plainJpegSize, type JpegSize } from './jpeg-header';
import { countGreyRows, countMaskPixels, type MaskCounts } from './mask-analysis';
import { decodeGreyPng, decodeGreyPngRows } from './png-grey-decoder';
import type { QaProblem } from './types';

export interface FileFacts {
  format: SniffedFormat;
  /** Size as a photo viewer shows it, after EXIF orientation. */
  width: number;
  height: number;
  /** EXIF orientation 1–8 (1 when absent). */
  orientation: number;
  sha256: string;
}

export type Inspected<T> = { ok: true; facts: T } | { ok: false; problem: QaProblem };

function fail(code: QaProblem['code'], file: string, message: string): { ok: false; problem: QaProblem } {
  return { ok: false, problem: { severity: 'error', code, message, files: [file] } };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}

/**
 * Reads the whole file and sniffs its format. The read is synchronous on purpose: a file of a
 * few hundred KB costs ~40 µs of main-thread time this way, against ~150 µs of main-thread
 * bookkeeping for fs.promises' open/stat/read/close round trips through libuv's pool, and the
 * main thread is the serial part of a run (decoding happens on the pool meanwhile).
 */
function readSniffed(path: string, file: string) {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    return fail('unreadable-file', file, `${file} cannot be read: ${firstLine(error)}.`);
  }
  const format = sniffImageFormat(bytes.subarray(0, 16));
  if (!format) {
    const what = bytes.length === 0 ? 'is empty' : 'does not start like a JPEG, PNG, WebP or TIFF file';
    return fail('not-an-image', file, `${file} ${what}; replace it with a real image or remove it.`);
  }
  return { ok: true as const, bytes, format };
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Reads and checks the header; the returned pipeline input is the file's bytes, so each file is
 * read from disk once.
 */
async function openChecked(path: string, file: string, maxPixels: number, read = readSniffed(path, file)) {
  if (!read.ok) return read;
  const { bytes, format } = read;
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    return fail('unreadable-file', file, `${file} has an unreadable ${format} header (${firstLine(error)}).`);
  }
  const pixels = meta.width * meta.height;
  if (pixels > maxPixels) {
    return fail(
      'too-many-pixels',
      file,
      `${file} is ${meta.width}×${meta.height} (${pixels.toLocaleString('en-US')} pixels), over the limit of ${maxPixels.toLocaleString('en-US')}; it was not decoded. Downscale it or raise maxPixels.`,
    );
  }
  const orientation = meta.orientation ?? 1;
  const stored = { width: meta.width, height: meta.height };
  const facts: FileFacts = {
    format,
    width: meta.autoOrient.width,
    height: meta.autoOrient.height,
    orientation,
    sha256: sha256(bytes),
  };
  return { ok: true as const, bytes, stored, depth: meta.depth, channels: meta.channels, facts };
}

function decoder(bytes: Buffer, maxPixels: number): Sharp {
  // failOn 'warning': libjpeg reports truncation and corrupt entropy data only as warnings.
  return sharp(bytes, { failOn: 'warning', limitInputPixels: maxPixels, sequentialRead: true });
}

/**
 * Asking for the last pixel makes the decoder run through every row of the file (JPEG and PNG
 * decode strictly in order), so damage anywhere fails, without copying megabytes out.
 */
async function decodeThroughLastPixel(bytes: Buffer, stored: JpegSize, maxPixels: number): Promise<void> {
  const { width, height } = stored;
  await decoder(bytes, maxPixels)
    .extract({ left: width - 1, top: height - 1, width: 1, height: 1 })
    .raw()
    .toBuffer();
}

export async function inspectImage(path: string, file: string, maxPixels: number): Promise<Inspected<FileFacts>> {
  const read = readSniffed(path, file);
  if (read.ok && read.format === 'jpeg') {
    // The common case, a JPEG without EXIF, needs no separate header read: its size comes from
    // the SOF marker. If decoding fails, the general path below runs and reports as before.
    const size = plainJpegSize(read.bytes);
    if (size && size.width * size.height <= maxPixels) {
      const decoded = await decodeThroughLastPixel(read.bytes, size, maxPixels).then(
        () => true,
        () => false,
      );
      if (decoded) return { ok: true, facts: { format: 'jpeg', ...size, orientation: 1, sha256: sha256(read.bytes) } };
    }
  }
  const opened = await openChecked(path, file, maxPixels, read);
  if (!opened.ok) return opened;
  try {
    await decodeThroughLastPixel(opened.bytes, opened.stored, maxPixels);
  } catch (error) {
    return fail(
      'unreadable-file',
      file,
      `${file} is damaged or truncated: decoding failed with "${firstLine(error)}".`,
    );
  }
  return { ok: true, facts: opened.facts };
}

export interface MaskFacts extends FileFacts {
  counts: MaskCounts;
}

/** `allowedSpread(format)` is how far colour channels may differ (lossy formats blur them). */
export async function inspectMask(
  path: string,
  file: string,
  maxPixels: number,
  allowedSpread: (format: SniffedFormat) => number,
): Promise<Inspected<MaskFacts>> {
  const read = readSniffed(path, file);
  if (read.ok && read.format === 'png') {
    // The common case, a plain 8-bit grey PNG, needs no separate header read: the decoder checks
    // the header itself and refuses oversized images before inflating. Anything else, damaged
    // files included, takes the general path below, which reports exactly as before.
    const grey = await decodeGreyPngRows(read.bytes, maxPixels).catch(() => 'unsupported' as const);
    if (grey !== 'unsupported' && grey.plain) {
      const facts = { format: read.format, width: grey.width, height: grey.height, orientation: 1 };
      const counts = countGreyRows(grey.rows, grey.width, grey.height);
      return { ok: true, facts: { ...facts, sha256: sha256(read.bytes), counts } };
    }
  }
  const opened = await openChecked(path, file, maxPixels, read);
  if (!opened.ok) return opened;
  try {
    if (opened.facts.format === 'png') {
      const grey = await decodeGreyPng(opened.bytes);
      if (grey !== 'unsupported') {
        return { ok: true, facts: { ...opened.facts, counts: countMaskPixels(grey.data, 1, false, 0) } };
      }
    }
    let pipeline = decoder(opened.bytes, maxPixels);
    // sharp widens one-channel images to sRGB on output; keep them as the single channel they are.
    if (opened.channels <= 2) pipeline = pipeline.extractChannel(0);
    // 16-bit masks are cast to 8 bits (65535 → 255), so one set of rules covers both depths.
    const { data, info } = await pipeline
      .raw(opened.depth === 'uchar' ? {} : { depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const hasAlpha = info.channels === 2 || info.channels === 4;
    const counts = countMaskPixels(data, info.channels, hasAlpha, allowedSpread(opened.facts.format));
    return { ok: true, facts: { ...opened.facts, counts } };
  } catch (error) {
    return fail(
      'unreadable-file',
      file,
      `${file} is damaged or truncated: decoding failed with "${firstLine(error)}".`,
    );
  }
}
