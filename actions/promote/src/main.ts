import type { InputValues } from '@wms/core';
import type { ActionContext, ActionResult } from '@wms/core/action';
import { runPromoteStage } from '@wms/pipeline/promote-stage';
import {
  githubRunFromEnv,
  openRegistry,
  parseExpectedChampion,
  registryOptionsFromInputs,
} from '@wms/pipeline/registry-options';
import { promoteOutputs } from './promote-outputs';
import type { spec } from './spec';

/** Registers the gated candidate and moves the champion to it, unless another promotion won the race. */
export async function runPromoteAction(
  inputs: InputValues<typeof spec.inputs>,
  ctx: ActionContext,
): Promise<ActionResult<keyof typeof spec.outputs>> {
  const expectedChampionVersion = parseExpectedChampion(inputs['expected-champion']);
  const backend = openRegistry(registryOptionsFromInputs(inputs, ctx.env), ctx);
  const result = await runPromoteStage(
    {
      model: inputs['model-name'],
      candidateModelDir: inputs['model-dir'],
      workspace: ctx.workspace,
      runId: inputs['run-id'],
      expectedChampionVersion,
      candidate: { dice: inputs['candidate-dice'], iou: inputs['candidate-iou'] },
      baseline: { dice: inputs['baseline-dice'], iou: inputs['baseline-iou'] },
      reason: inputs.reason,
      github: githubRunFromEnv(ctx.env, inputs['pr-number']),
      metadataDir: inputs['metadata-dir'],
    },
    { backend, logger: ctx.logger },
  );
  return { outputs: promoteOutputs(result), summary: result.summary };
}
