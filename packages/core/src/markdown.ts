/** Small, dependency-free markdown builders shared by every job summary and PR comment. */

function escapeCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

export function mdTable(
  header: readonly string[],
  rows: ReadonlyArray<readonly unknown[]>,
  align?: ReadonlyArray<'l' | 'r' | 'c'>,
): string {
  const sep = header.map((_, i) => {
    const a = align?.[i] ?? 'l';
    return a === 'r' ? '---:' : a === 'c' ? ':---:' : '---';
  });
  const line = (cells: readonly unknown[]): string => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(header), `| ${sep.join(' | ')} |`, ...rows.map(line)].join('\n');
}

export function mdDetails(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

export function mdHeading(text: string, level = 2): string {
  return `${'#'.repeat(level)} ${text}`;
}

/** A list that shows the first `limit` items and folds the rest into "… and N more". */
export function mdFoldedList(items: readonly string[], limit = 20): string {
  const shown = items.slice(0, limit).map((i) => `- ${i}`);
  if (items.length > limit) shown.push(`- … and ${items.length - limit} more`);
  return shown.join('\n');
}

export function formatNumber(value: number | undefined | null, digits = 4): string {
  if (value === undefined || value === null || Number.isNaN(value)) return 'n/a';
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

export function formatDelta(value: number, digits = 4): string {
  if (Number.isNaN(value)) return 'n/a';
  const sign = value > 0 ? '+' : value < 0 ? '−' : '±';
  return `${sign}${Math.abs(value).toFixed(digits)}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}
