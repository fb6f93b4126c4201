import type { InputValues } from '@wms/core';
import type { ActionContext, ActionResult } from '@wms/core/action';
import { runQaStage } from '@wms/pipeline/qa-stage';
import { qaOptionsFromInputs } from './qa-inputs';
import type { spec } from './spec';

/** Checks the dataset, writes both reports, and fails the job when any error was found. */
export async function runDataQaAction(
  inputs: InputValues<typeof spec.inputs>,
  ctx: ActionContext,
): Promise<ActionResult<keyof typeof spec.outputs>> {
  const options = qaOptionsFromInputs(inputs, ctx.workspace);
  const { report, paths, summary, failure } = await runQaStage(
    { ...options, reportDir: inputs['report-dir'], workspace: ctx.workspace },
    { logger: ctx.logger, progress: ctx.progress() },
  );
  const { counts } = report;
  return {
    outputs: {
      valid: report.valid,
      pairs: counts.validPairs,
      errors: counts.errors,
      warnings: counts.warnings,
      'report-path': paths.json,
    },
    summary,
    failure,
  };
}
