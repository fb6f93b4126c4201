/** Inspects one pair's two files and applies the pair rules; returns small facts only. */
import { isLossyFormat } from './file-kinds';
import { inspectImage, inspectMask, type FileFacts } from './inspect-file';
import { checkPair } from './pair-checks';
import type { ResolvedQaOptions } from './qa-options';
import type { Pair, QaProblem } from './types';

export interface PairResult {
  pair: Pair;
  files: { image: string; mask: string };
  image?: FileFacts;
  maskFormat?: string;
  coverage?: number;
  problems: QaProblem[];
}

export async function inspectPair(
  pair: Pair,
  files: { image: string; mask: string },
  options: ResolvedQaOptions,
): Promise<PairResult> {
  const spread = (format: Parameters<typeof isLossyFormat>[0]): number =>
    isLossyFormat(format) ? options.maskTolerance : 0;
  const [image, mask] = await Promise.all([
    inspectImage(pair.image, files.image, options.maxPixels),
    inspectMask(pair.mask, files.mask, options.maxPixels, spread),
  ]);
  const problems: QaProblem[] = [];
  if (!image.ok) problems.push(image.problem);
  if (!mask.ok) problems.push(mask.problem);
  const result: PairResult = { pair, files, problems };
  if (image.ok) result.image = image.facts;
  if (mask.ok) result.maskFormat = mask.facts.format;
  if (image.ok && mask.ok) {
    const checked = checkPair(files, image.facts, mask.facts, options);
    problems.push(...checked.problems);
    if (checked.coverage !== undefined) result.coverage = checked.coverage;
  }
  return result;
}
