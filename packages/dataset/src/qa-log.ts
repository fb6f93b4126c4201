/** Turns a report's problems into one log line (one annotation) per bad file. */
import { relative, resolve, sep } from 'node:path';
import type { Logger } from '@wms/core';
import { printableName } from './file-names';
import type { QaReport } from './types';

export function logProblemsByFile(report: QaReport, logger: Logger, annotationBase?: string): void {
  const byFile = new Map<string, { error: boolean; messages: string[] }>();
  for (const problem of report.problems) {
    for (const file of problem.files) {
      const entry = byFile.get(file) ?? { error: false, messages: [] };
      entry.error ||= problem.severity === 'error';
      if (!entry.messages.includes(problem.message)) entry.messages.push(problem.message);
      byFile.set(file, entry);
    }
  }
  const base = annotationBase ?? report.root;
  for (const [file, entry] of byFile) {
    // Annotations need paths relative to the repository checkout, not to the dataset root.
    // Escaped: a name is data and must not end the log line or the annotation early.
    const path = relative(base, resolve(report.root, file)).split(sep).join('/');
    const location = { file: printableName(path), title: 'data-qa' };
    const message = entry.messages.map(printableName).join('\n');
    if (entry.error) logger.error(message, location);
    else logger.warning(message, location);
  }
  const { counts } = report;
  logger.info(
    `data-qa: ${counts.validPairs} of ${counts.candidatePairs} pairs usable; ${counts.errors} error(s), ${counts.warnings} warning(s).`,
  );
}
