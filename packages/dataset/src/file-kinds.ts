/** Which files data-qa treats as images, by extension and by content. */
import { extname } from 'node:path';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff'] as const;

export function hasImageExtension(fileName: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extname(fileName).toLowerCase());
}

export type SniffedFormat = 'jpeg' | 'png' | 'webp' | 'tiff';

/**
 * The format the file's first bytes announce, or undefined for anything else (text, HTML error
 * pages saved as .jpg, zero-byte files). Cheaper and clearer than a decoder's error message.
 */
export function sniffImageFormat(head: Uint8Array): SniffedFormat | undefined {
  const at = (i: number): number => head[i] ?? -1;
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'jpeg';
  if (at(0) === 0x89 && at(1) === 0x50 && at(2) === 0x4e && at(3) === 0x47) return 'png';
  const ascii = (from: number, to: number): string => String.fromCharCode(...head.subarray(from, to));
  if (head.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (
    (at(0) === 0x49 && at(1) === 0x49 && at(2) === 0x2a && at(3) === 0) ||
    (at(0) === 0x4d && at(1) === 0x4d && at(2) === 0 && at(3) === 0x2a)
  ) {
    return 'tiff';
  }
  return undefined;
}

/** JPEG (and lossy WebP) smear values at edges, so masks in these formats get a tolerance. */
export function isLossyFormat(format: SniffedFormat): boolean {
  return format === 'jpeg' || format === 'webp';
}

/** Strips the pairing suffix: `12_image.jpg` and `12.jpg` both pair as id `12`. */
export function pairIdOf(fileName: string, role: 'image' | 'mask'): string {
  const stem = fileName.slice(0, fileName.length - extname(fileName).length);
  const suffix = role === 'image' ? /_image$/i : /_mask$/i;
  return stem.replace(suffix, '');
}
