/**
 * The data-qa stage as the action, the CLI and the local pipeline run it: validate the pairs,
 * write qa-report.json and qa-report.md, and say whether (and why) the stage fails.
 */
import { resolve } from 'node:path';
import type { Logger, Progress } from '@wms/core';
import {
  describeQaFailure,
  renderQaMarkdown,
  validateDataset,
  writeQaReports,
  type QaOptions,
  type QaReport,
} from '@wms/dataset';

export interface QaStageOptions extends Omit<QaOptions, 'reportDir'> {
  /** Where both reports go (relative to the workspace). */
  reportDir: string;
  workspace: string;
}

export interface QaStageResult {
  report: QaReport;
  paths: { json: string; markdown: string };
  summary: string;
  /** Why the stage fails (any error in the data); undefined when the data is valid. */
  failure: string | undefined;
}

export async function runQaStage(
  options: QaStageOptions,
  deps: { logger: Logger; progress?: Progress },
): Promise<QaStageResult> {
  const { reportDir, workspace, ...qa } = options;
  const report = await validateDataset(
    { ...qa, root: resolve(workspace, qa.root), annotationBase: qa.annotationBase ?? workspace },
    { logger: deps.logger, progress: deps.progress },
  );
  const paths = await writeQaReports(report, resolve(workspace, reportDir));
  return {
    report,
    paths,
    summary: renderQaMarkdown(report),
    failure: report.valid ? undefined : describeQaFailure(report),
  };
}
