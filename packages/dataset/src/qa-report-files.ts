/** Writes the machine-readable and the human report side by side, atomically. */
import { join, resolve } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '@wms/core';
import { renderQaMarkdown } from './qa-markdown';
import type { QaReport } from './types';

export const QA_REPORT_JSON = 'qa-report.json';
export const QA_REPORT_MARKDOWN = 'qa-report.md';

export async function writeQaReports(report: QaReport, dir: string): Promise<{ json: string; markdown: string }> {
  const json = join(resolve(dir), QA_REPORT_JSON);
  const markdown = join(resolve(dir), QA_REPORT_MARKDOWN);
  await writeJsonAtomic(json, report);
  await writeFileAtomic(markdown, renderQaMarkdown(report));
  return { json, markdown };
}
