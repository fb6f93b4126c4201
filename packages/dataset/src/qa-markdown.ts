/** The human data-qa report: job summary, PR comment and qa-report.md share this text. */
import { formatNumber, mdDetails, mdFoldedList, mdHeading, mdTable } from '@wms/core';
import { mdText } from './file-names';
import type { QaProblem, QaReport } from './types';

const RESOLUTION_ROWS = 10;
const OPEN_LIST_LIMIT = 10;

const pct = (v: number | null): string => (v === null ? 'n/a' : `${(100 * v).toFixed(2)} %`);

function problemSection(code: string, problems: QaProblem[]): string {
  const severity = problems[0]!.severity;
  const title = `${severity === 'error' ? '❌' : '⚠️'} <code>${code}</code>: ${problems.length} ${severity}${problems.length === 1 ? '' : 's'}`;
  const list = mdFoldedList(
    // Messages quote file names: escaped so any allowed name shows as itself.
    problems.map((p) => mdText(p.message)),
    50,
  );
  return problems.length > OPEN_LIST_LIMIT ? mdDetails(title, list) : `${title}\n\n${list}`;
}

function problemsBlock(problems: QaProblem[]): string {
  if (problems.length === 0) return 'No problems found.';
  const groups = new Map<string, QaProblem[]>();
  for (const p of problems) {
    const key = `${p.severity}:${p.code}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups.entries()].map(([key, list]) => problemSection(key.split(':')[1]!, list)).join('\n\n');
}

function resolutionsBlock(resolutions: Record<string, number>): string {
  const rows = Object.entries(resolutions);
  if (rows.length === 0) return 'No decodable image.';
  const shown = rows.slice(0, RESOLUTION_ROWS).map(([size, count]) => [size.replace('x', '×'), count]);
  const rest = rows.slice(RESOLUTION_ROWS);
  if (rest.length > 0) {
    shown.push([`… ${rest.length} more sizes`, rest.reduce((sum, [, count]) => sum + count, 0)]);
  }
  return mdTable(['Resolution (as displayed)', 'Images'], shown, ['l', 'r']);
}

export function renderQaMarkdown(report: QaReport): string {
  const { counts, stats } = report;
  const verdict = report.valid
    ? `✅ ${counts.validPairs} pairs valid`
    : `❌ ${counts.errors} error${counts.errors === 1 ? '' : 's'}`;
  const coverage = stats.coverage;
  const parts = [
    mdHeading(`Data QA: ${verdict}`),
    `Dataset ${mdText(report.imagesDir)} + ${mdText(report.masksDir)} (schema v${report.schemaVersion}).`,
    mdTable(
      ['Images', 'Masks', 'Pairs found', 'Usable pairs', 'Errors', 'Warnings', 'EXIF-rotated'],
      [
        [
          counts.images,
          counts.masks,
          counts.candidatePairs,
          counts.validPairs,
          counts.errors,
          counts.warnings,
          stats.exifOriented,
        ],
      ],
      ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    mdHeading('Problems', 3),
    problemsBlock(report.problems),
    mdHeading('Resolutions', 3),
    resolutionsBlock(stats.resolutions),
    mdHeading('Foreground coverage (usable pairs)', 3),
    mdTable(
      ['Min', 'Median', 'Mean', 'Max', 'Outliers'],
      [[pct(coverage.min), pct(coverage.median), pct(coverage.mean), pct(coverage.max), coverage.outliers.length]],
      ['r', 'r', 'r', 'r', 'r'],
    ),
  ];
  if (coverage.outliers.length > 0) {
    parts.push(
      mdDetails(
        `Coverage outliers (${coverage.outliers.length})`,
        mdFoldedList(coverage.outliers.map((o) => `${mdText(o.id)}: ${pct(o.coverage)}`)),
      ),
    );
  }
  const formats = Object.entries(stats.maskFormats).map(([f, n]) => `${f}: ${formatNumber(n)}`);
  if (formats.length > 0) parts.push(`Mask formats: ${formats.join(', ')}.`);
  return `${parts.join('\n\n')}\n`;
}
