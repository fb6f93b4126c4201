/** GitHub rejects PR bodies and comments longer than this many characters (422 "body is too long"). */
export const GITHUB_BODY_LIMIT = 65_536;

/**
 * The body itself when it fits; otherwise cut at the last line break that leaves room for a note
 * saying so, with a link to the full report when there is one. Never splits a UTF-16 pair.
 */
export function fitToGitHubLimit(body: string, fullReportUrl?: string, limit = GITHUB_BODY_LIMIT): string {
  if (body.length <= limit) return body;
  const link = fullReportUrl ? ` The full report: ${fullReportUrl}` : ' The full report is in the run’s job summary.';
  const note = `\n\n---\n> ✂️ Cut to fit GitHub's ${limit.toLocaleString('en-US')}-character limit (${body.length.toLocaleString('en-US')} characters).${link}\n`;
  // Room for the note and for closing a code fence and a <details> the cut may leave open.
  const reserve = note.length + '\n```\n</details>'.length;
  let cut = body.slice(0, Math.max(0, limit - reserve));
  const lastBreak = cut.lastIndexOf('\n');
  if (lastBreak > cut.length / 2) cut = cut.slice(0, lastBreak);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const fences = (cut.match(/^```/gm) ?? []).length;
  const closing = `${fences % 2 === 1 ? '\n```' : ''}${cut.lastIndexOf('<details>') > cut.lastIndexOf('</details>') ? '\n</details>' : ''}`;
  return `${cut}${closing}${note}`;
}
