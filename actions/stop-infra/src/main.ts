import type { InputValues } from '@wms/core';
import type { ActionContext, ActionResult } from '@wms/core/action';
import { runStopInfraStage } from '@wms/pipeline/stop-infra-stage';
import { stopOptionsFromInputs } from './stop-inputs';
import type { spec } from './spec';

/** Stops (or destroys) the MLflow host idempotently and reports what its run time cost. */
export async function runStopInfraAction(
  inputs: InputValues<typeof spec.inputs>,
  ctx: ActionContext,
): Promise<ActionResult<keyof typeof spec.outputs>> {
  const result = await runStopInfraStage(stopOptionsFromInputs(inputs, ctx.workspace, ctx.env), {
    logger: ctx.logger,
  });
  return {
    outputs: {
      outcome: result.outcome,
      'instance-id': result.instanceId,
      'run-seconds': result.runSeconds ?? '',
      'cost-usd': result.usd === undefined ? '' : result.usd.toFixed(4),
    },
    summary: result.summary,
  };
}
