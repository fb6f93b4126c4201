import { formatDelta, formatNumber, mdDetails, mdFoldedList, mdHeading, mdTable } from '@wms/core';
import type { GateResult } from './quality-gate';

const SOURCE_LABEL = {
  none: 'no champion yet (baseline 0)',
  're-evaluated': 're-evaluated on the same pairs',
  recorded: 'recorded metrics (could not re-evaluate)',
} as const;

/** The quality gate's one job-summary block: verdict, metric table with deltas, details. */
export function renderGateSummary(result: GateResult): string {
  const verdict = result.improved ? '✅ Improved — eligible for promotion' : '❌ Not improved — will not be promoted';
  const champion = result.championVersion === null ? 'none' : `version ${result.championVersion}`;
  const table = mdTable(
    ['Metric', `Champion (${champion})`, 'Candidate', 'Delta'],
    [
      [
        'Dice',
        formatNumber(result.baseline.dice),
        formatNumber(result.candidate.dice),
        formatDelta(result.decision.delta.dice),
      ],
      [
        'IoU',
        formatNumber(result.baseline.iou),
        formatNumber(result.candidate.iou),
        formatDelta(result.decision.delta.iou),
      ],
    ],
    ['l', 'r', 'r', 'r'],
  );
  const lines = [
    mdHeading(`Quality gate: ${result.model}`),
    `**${verdict}**`,
    '',
    table,
    '',
    result.reason,
    '',
    `Baseline: ${SOURCE_LABEL[result.baselineSource]}. Evaluated on ${result.evaluatedImages} images.`,
  ];
  const floors = result.floors;
  if (floors && (floors.dice !== null || floors.iou !== null)) {
    const part = (name: string, floor: number | null, value: number) =>
      floor === null ? `${name}: none` : `${name} ≥ ${floor} (${value >= floor ? 'met' : 'not met'})`;
    lines.push(
      '',
      `Absolute floor (baseline.min_dice / min_iou): ${part('Dice', floors.dice, result.candidate.dice)}, ${part('IoU', floors.iou, result.candidate.iou)}.`,
    );
  }
  const sig = result.decision.significance;
  if (sig) {
    lines.push(
      '',
      mdDetails(
        'Paired bootstrap over per-image Dice',
        mdTable(
          [
            'Paired images',
            'Mean gain',
            `${Math.round(sig.confidence * 100)}% lower bound`,
            'p (gain ≤ 0)',
            'Resamples',
          ],
          [
            [
              sig.pairedImages,
              formatDelta(sig.meanDiceDelta),
              formatDelta(sig.lowerBound),
              formatNumber(sig.pValue, 3),
              sig.samples,
            ],
          ],
        ),
      ),
    );
  }
  if (result.notes.length > 0) lines.push('', mdDetails('Notes', mdFoldedList(result.notes)));
  return lines.join('\n');
}
