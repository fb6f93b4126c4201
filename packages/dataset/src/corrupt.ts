/**
 * Derives each bad case data-qa must catch from a good generated pair, in place, and says which
 * problem (code + files) the validator should report. Tests use it; so can demos of a failing
 * data-qa step. Kinds ending in "-ok" are tricky but valid and must produce no problem.
 */
import { promises as fsp } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import sharp from 'sharp';
import { relativeToRoot } from './discover-pairs';
import type { Pair, QaCode, QaSeverity } from './types';

export interface ExpectedProblem {
  code: QaCode;
  severity: QaSeverity;
  /** Relative to the dataset root, as the report names them. */
  files: string[];
}

export const CORRUPTION_KINDS = [
  'truncated-image',
  'truncated-mask',
  'text-as-jpeg',
  'stray-text-file',
  'missing-mask',
  'missing-image',
  'ambiguous-pair',
  'size-mismatch',
  'rotated-without-exif',
  'exif-rotated-ok',
  'suffix-names-ok',
  'uppercase-extension-ok',
  'grey-values-mask',
  'zero-one-mask',
  'jpeg-mask-ok',
  'blurry-jpeg-mask',
  'coloured-mask',
  'empty-mask',
  'full-mask',
  'tiny-pair',
  'symlinked-mask',
  'sub-folder',
] as const;
export type CorruptionKind = (typeof CORRUPTION_KINDS)[number];

async function maskPixels(pair: Pair): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(pair.mask).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

async function writeGreyPng(path: string, data: Buffer, width: number, height: number): Promise<void> {
  await sharp(data, { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toFile(path);
}

/** Corrupts `pair` (under dataset `root`) as `kind` describes; returns what data-qa must report. */
export async function applyCorruption(kind: CorruptionKind, pair: Pair, root: string): Promise<ExpectedProblem[]> {
  const rel = (p: string): string => relativeToRoot(root, p);
  const image = rel(pair.image);
  const mask = rel(pair.mask);
  const imagesDir = dirname(pair.image);
  const masksDir = dirname(pair.mask);
  switch (kind) {
    case 'truncated-image': {
      const bytes = await fsp.readFile(pair.image);
      await fsp.writeFile(pair.image, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      return [{ code: 'unreadable-file', severity: 'error', files: [image] }];
    }
    case 'truncated-mask': {
      const bytes = await fsp.readFile(pair.mask);
      await fsp.writeFile(pair.mask, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
      return [{ code: 'unreadable-file', severity: 'error', files: [mask] }];
    }
    case 'text-as-jpeg':
      await fsp.writeFile(pair.image, '<html><body>404 Not Found</body></html>\n');
      return [{ code: 'not-an-image', severity: 'error', files: [image] }];
    case 'stray-text-file': {
      const notes = join(imagesDir, `${pair.id}-notes.txt`);
      await fsp.writeFile(notes, 'labelled by hand\n');
      return [{ code: 'not-an-image', severity: 'error', files: [rel(notes)] }];
    }
    case 'missing-mask':
      await fsp.rm(pair.mask);
      return [{ code: 'mask-missing', severity: 'error', files: [image] }];
    case 'missing-image':
      await fsp.rm(pair.image);
      return [{ code: 'image-missing', severity: 'error', files: [mask] }];
    case 'ambiguous-pair': {
      const second = join(imagesDir, `${pair.id}_image.png`);
      await sharp(pair.image).png().toFile(second);
      return [{ code: 'ambiguous-pair', severity: 'error', files: [image, rel(second)].sort() }];
    }
    case 'size-mismatch': {
      const { width, height } = await sharp(pair.mask).metadata();
      const resized = await sharp(pair.mask)
        .resize(width - 8, height, { fit: 'fill', kernel: 'nearest' })
        .toBuffer();
      await fsp.writeFile(pair.mask, resized);
      return [{ code: 'size-mismatch', severity: 'error', files: [image, mask] }];
    }
    case 'rotated-without-exif':
    case 'exif-rotated-ok': {
      // Store the pixels turned 90° anticlockwise; EXIF orientation 6 tells viewers to turn them back.
      let rotated = sharp(await fsp.readFile(pair.image)).rotate(270);
      if (kind === 'exif-rotated-ok') rotated = rotated.withMetadata({ orientation: 6 });
      await fsp.writeFile(pair.image, await rotated.jpeg({ quality: 90 }).toBuffer());
      return kind === 'exif-rotated-ok' ? [] : [{ code: 'size-mismatch', severity: 'error', files: [image, mask] }];
    }
    case 'suffix-names-ok':
    case 'uppercase-extension-ok': {
      const suffix = kind === 'suffix-names-ok';
      const imageExt = suffix ? extname(pair.image) : extname(pair.image).toUpperCase();
      const maskExt = suffix ? extname(pair.mask) : extname(pair.mask).toUpperCase();
      await fsp.rename(pair.image, join(imagesDir, `${pair.id}${suffix ? '_image' : ''}${imageExt}`));
      await fsp.rename(pair.mask, join(masksDir, `${pair.id}${suffix ? '_mask' : ''}${maskExt}`));
      return [];
    }
    case 'grey-values-mask':
    case 'zero-one-mask':
    case 'empty-mask':
    case 'full-mask': {
      const { data, width, height } = await maskPixels(pair);
      if (kind === 'grey-values-mask') data.fill(128, 0, Math.min(data.length, width * 4));
      if (kind === 'zero-one-mask') for (let i = 0; i < data.length; i++) data[i] = data[i]! > 127 ? 1 : 0;
      if (kind === 'empty-mask') data.fill(0);
      if (kind === 'full-mask') data.fill(255);
      await fsp.rm(pair.mask);
      await writeGreyPng(pair.mask, data, width, height);
      const code = (
        {
          'grey-values-mask': 'mask-not-binary',
          'zero-one-mask': 'mask-zero-one',
          'empty-mask': 'mask-empty',
          'full-mask': 'mask-full',
        } as const
      )[kind];
      return [{ code, severity: kind === 'grey-values-mask' ? 'error' : 'warning', files: [mask] }];
    }
    case 'jpeg-mask-ok':
    case 'blurry-jpeg-mask': {
      const jpegMask = join(masksDir, `${basename(pair.mask, extname(pair.mask))}.jpg`);
      let pipeline = sharp(pair.mask).extractChannel(0).toColourspace('b-w');
      if (kind === 'blurry-jpeg-mask') pipeline = pipeline.blur(6);
      await fsp.writeFile(jpegMask, await pipeline.jpeg({ quality: 92, chromaSubsampling: '4:4:4' }).toBuffer());
      await fsp.rm(pair.mask);
      return kind === 'jpeg-mask-ok' ? [] : [{ code: 'mask-too-ambiguous', severity: 'error', files: [rel(jpegMask)] }];
    }
    case 'coloured-mask': {
      const { data, width, height } = await maskPixels(pair);
      const rgb = Buffer.alloc(width * height * 3);
      for (let i = 0; i < data.length; i++) rgb[i * 3] = data[i]!; // red only: green and blue stay 0
      await sharp(rgb, { raw: { width, height, channels: 3 } })
        .png()
        .toFile(`${pair.mask}.tmp`);
      await fsp.rename(`${pair.mask}.tmp`, pair.mask);
      return [{ code: 'mask-channels-differ', severity: 'error', files: [mask] }];
    }
    case 'tiny-pair': {
      for (const path of [pair.image, pair.mask]) {
        const small = await sharp(path).resize(40, 24, { fit: 'fill', kernel: 'nearest' }).toBuffer();
        await fsp.writeFile(path, small);
      }
      return [{ code: 'resolution-out-of-policy', severity: 'error', files: [image] }];
    }
    case 'symlinked-mask': {
      // The link target lies outside the dataset root: data-qa must not follow it.
      const outside = join(dirname(root), `${basename(root)}-outside-${pair.id}.png`);
      await fsp.rename(pair.mask, outside);
      await fsp.symlink(outside, pair.mask);
      return [
        { code: 'symlink-refused', severity: 'error', files: [mask] },
        { code: 'mask-missing', severity: 'error', files: [image] },
      ];
    }
    case 'sub-folder': {
      const folder = join(imagesDir, `${pair.id}-extra`);
      await fsp.mkdir(folder, { recursive: true });
      return [{ code: 'unexpected-directory', severity: 'warning', files: [rel(folder)] }];
    }
  }
}

/** Copies pair `from`'s image bytes over pair `to`'s image: an exact duplicate under another name. */
export async function duplicateImage(from: Pair, to: Pair, root: string): Promise<ExpectedProblem[]> {
  await fsp.copyFile(from.image, to.image);
  const files = [relativeToRoot(root, from.image), relativeToRoot(root, to.image)].sort();
  return [{ code: 'duplicate-image', severity: 'error', files }];
}
