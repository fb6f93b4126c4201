/** The one paragraph a failed data-qa step shows: what is wrong, how much, and what to do. */
import type { QaReport } from './types';

const ADVICE: Partial<Record<string, string>> = {
  'mask-missing': 'add the missing masks',
  'image-missing': 'add the images or delete the orphan masks',
  'ambiguous-pair': 'keep one file per pair',
  'size-mismatch': 'resize or re-export the masks to their images’ displayed size',
  'unreadable-file': 're-export the damaged files',
  'not-an-image': 'move non-image files out of the dataset folders',
  'mask-not-binary': 'save masks with only 0 and 255',
  'mask-too-ambiguous': 'save masks as PNG with only 0 and 255',
  'duplicate-image': 'delete the duplicate copies',
  'symlink-refused': 'replace symlinks with the files themselves',
  'unsafe-file-name': 'rename the files whose names hold control characters',
  'no-pairs': 'check dataset-dir, images-dir and masks-dir',
};

export function describeQaFailure(report: QaReport): string {
  const byCode = new Map<string, number>();
  for (const p of report.problems) if (p.severity === 'error') byCode.set(p.code, (byCode.get(p.code) ?? 0) + 1);
  const counts = [...byCode.entries()].map(([code, n]) => `${n} ${code}`).join(', ');
  const advice = [...byCode.keys()].map((code) => ADVICE[code]).filter(Boolean);
  const todo = advice.length > 0 ? ` To fix: ${[...new Set(advice)].join('; ')}.` : '';
  return `Data QA found ${report.counts.errors} error(s) in the dataset (${counts}); ${report.counts.validPairs} of ${report.counts.candidatePairs} pairs are usable.${todo} Each file is annotated; the job summary and qa-report.md list every problem.`;
}
