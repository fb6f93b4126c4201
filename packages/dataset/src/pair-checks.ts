/**
 * The rules one decoded image/mask pair must meet: same displayed size, resolution policy,
 * binary mask (0/255; 0/1 reported; JPEG within a tolerance), equal mask channels, and not
 * empty or full. Pure: facts and options in, problems out.
 */
import { isLossyFormat } from './file-kinds';
import type { FileFacts, MaskFacts } from './inspect-file';
import { judgeMask } from './mask-analysis';
import type { ResolvedQaOptions } from './qa-options';
import type { QaProblem, ResolutionPolicy } from './types';

const pct = (fraction: number): string => `${(100 * fraction).toFixed(2)} %`;
const size = (f: { width: number; height: number }): string => `${f.width}×${f.height}`;

function orientationNote(facts: FileFacts): string {
  return facts.orientation > 1 ? ` (after EXIF orientation ${facts.orientation})` : '';
}

export function checkResolution(file: string, facts: FileFacts, policy: ResolutionPolicy): QaProblem | undefined {
  const { width, height } = facts;
  const shortSide = Math.min(width, height);
  const longSide = Math.max(width, height);
  let expected: string | undefined;
  if (policy.exact.length > 0 && !policy.exact.some((s) => s.width === width && s.height === height)) {
    expected = `one of ${policy.exact.map(size).join(', ')}`;
  } else if (shortSide < policy.minSide || longSide > policy.maxSide) {
    expected = `sides from ${policy.minSide} to ${policy.maxSide} px`;
  }
  if (!expected) return undefined;
  return {
    severity: 'error',
    code: 'resolution-out-of-policy',
    message: `${file} is ${size(facts)}${orientationNote(facts)}; the resolution policy accepts ${expected}.`,
    files: [file],
  };
}

export function checkPair(
  files: { image: string; mask: string },
  image: FileFacts,
  mask: MaskFacts,
  options: ResolvedQaOptions,
): { problems: QaProblem[]; coverage: number | undefined } {
  const problems: QaProblem[] = [];
  const both = [files.image, files.mask];
  const add = (severity: QaProblem['severity'], code: QaProblem['code'], message: string, on = both): void => {
    problems.push({ severity, code, message, files: on });
  };

  if (image.width !== mask.width || image.height !== mask.height) {
    add(
      'error',
      'size-mismatch',
      `${files.image} is ${size(image)}${orientationNote(image)} but its mask ${files.mask} is ${size(mask)}${orientationNote(mask)}; a mask must have its image's displayed size.`,
    );
  }
  const resolution = checkResolution(files.image, image, options.resolution);
  if (resolution) problems.push(resolution);

  const lossy = isLossyFormat(mask.format);
  const verdict = judgeMask(mask.counts, lossy, options.maskTolerance);
  const { total } = mask.counts;
  const values = verdict.offendingValues.join(', ');
  let binary = true;
  if (mask.counts.channelMismatch > (lossy ? options.maxAmbiguousFraction * total : 0)) {
    binary = false;
    add(
      'error',
      'mask-channels-differ',
      `${files.mask} has ${mask.counts.colourChannels} colour channels that differ in ${mask.counts.channelMismatch} pixels (${pct(mask.counts.channelMismatch / total)}); a mask must be grey (one channel, or equal channels).`,
      [files.mask],
    );
  }
  if (verdict.nonBinary > 0) {
    binary = false;
    add(
      'error',
      'mask-not-binary',
      `${files.mask} is a lossless ${mask.format} mask with ${verdict.nonBinary} pixels (${pct(verdict.nonBinary / total)}) that are neither 0 nor 255 (values such as ${values}); save it with only 0 (background) and 255 (foreground).`,
      [files.mask],
    );
  } else if (verdict.zeroOne) {
    add(
      'warning',
      'mask-zero-one',
      `${files.mask} uses 0/1 instead of 0/255; it is read as binary with 1 = foreground, but viewers show it black. Consider saving 1 as 255.`,
      [files.mask],
    );
  }
  if (lossy && verdict.ambiguous > options.maxAmbiguousFraction * total) {
    binary = false;
    add(
      'error',
      'mask-too-ambiguous',
      `${files.mask} is a ${mask.format} mask with ${pct(verdict.ambiguous / total)} of pixels more than ${options.maskTolerance} away from both 0 and 255 (values such as ${values}); at most ${pct(options.maxAmbiguousFraction)} is allowed. Save masks as PNG with only 0 and 255.`,
      [files.mask],
    );
  }
  if (!binary) return { problems, coverage: undefined };

  const coverage = verdict.foreground / total;
  if (verdict.foreground === 0) {
    add(options.emptyMask, 'mask-empty', `${files.mask} has no foreground pixel: the image shows nothing to segment.`, [
      files.mask,
    ]);
  } else if (verdict.foreground === total) {
    add(options.fullMask, 'mask-full', `${files.mask} is foreground everywhere: check that it is not inverted.`, [
      files.mask,
    ]);
  }
  return { problems, coverage };
}
