import { resolve } from 'node:path';
import type { InputValues } from '@wms/core';
import type { ActionContext, ActionResult } from '@wms/core/action';
import { describeQaFailure, renderQaMarkdown, validateDataset, writeQaReports } from '@wms/dataset';
import { qaOptionsFromInputs } from './qa-inputs';
import type { spec } from './spec';

/** Checks the dataset, writes both reports, and fails the job when any error was found. */
export async function runDataQaAction(
  inputs: InputValues<typeof spec.inputs>,
  ctx: ActionContext,
): Promise<ActionResult<keyof typeof spec.outputs>> {
  const options = qaOptionsFromInputs(inputs, ctx.workspace);
  const report = await validateDataset(options, { logger: ctx.logger, progress: ctx.progress() });
  const paths = await writeQaReports(report, resolve(ctx.workspace, inputs['report-dir']));
  const { counts } = report;
  return {
    outputs: {
      valid: report.valid,
      pairs: counts.validPairs,
      errors: counts.errors,
      warnings: counts.warnings,
      'report-path': paths.json,
    },
    summary: renderQaMarkdown(report),
    failure: report.valid ? undefined : describeQaFailure(report),
  };
}
