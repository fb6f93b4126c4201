import { formatDelta, formatNumber, mdHeading, mdTable } from '@wms/core';
import type { PromotionResult } from './promote-candidate';

/** The promote stage's job-summary block. */
export function renderPromotionSummary(result: PromotionResult, registryLocation: string): string {
  const m = result.metadata;
  return [
    mdHeading(`Promoted ${result.model} version ${result.version}`),
    mdTable(
      ['', 'Dice', 'IoU'],
      [
        ['Previous champion', formatNumber(m.baseline.dice), formatNumber(m.baseline.iou)],
        ['New champion', formatNumber(m.metrics.dice), formatNumber(m.metrics.iou)],
        ['Delta', formatDelta(m.metrics.dice - m.baseline.dice), formatDelta(m.metrics.iou - m.baseline.iou)],
      ],
      ['l', 'r', 'r'],
    ),
    '',
    `Previous champion: ${result.previousVersion === null ? 'none' : `version ${result.previousVersion} (archived)`}. ` +
      `Run: ${m.run_id ?? 'n/a'}. Commit: ${m.github_run.sha ?? 'n/a'}. Registry: ${registryLocation}.`,
    result.metadataPath
      ? `Metadata written to \`${result.metadataPath}\` and appended to \`${result.historyPath}\`.`
      : '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}
