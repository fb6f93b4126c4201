import type { InputValues } from '@wms/core';
import type { ActionContext, ActionResult } from '@wms/core/action';
import { trainModel, trainSummaryMarkdown } from '@wms/model';
import { createTracker, type CreateTracker } from './create-tracker';
import type { spec } from './spec';
import { trainOptionsFromInputs } from './train-inputs';

type Outputs = keyof typeof spec.outputs;

/** Discovers pairs, trains, and reports; the tracker factory is injectable for tests. */
export async function runTrainAction(
  inputs: InputValues<typeof spec.inputs>,
  ctx: ActionContext,
  makeTracker: CreateTracker = createTracker,
): Promise<ActionResult<Outputs>> {
  const { logger, workspace, env } = ctx;
  const options = await trainOptionsFromInputs(inputs, ctx);
  const tracker = await makeTracker({
    trackingUri: inputs['tracking-uri'],
    experiment: inputs.experiment,
    workspace,
    env,
    logger,
    tags: { 'wms.stage': 'train' },
  });
  const result = await trainModel({ ...options, tracker }, { logger, progress: ctx.progress });
  const { dice, iou } = result.metrics.heldOut.mean;
  return {
    outputs: { dice, iou, 'model-dir': result.modelDir, 'run-id': tracker.runId, backend: result.backend.name },
    summary: trainSummaryMarkdown(result),
  };
}
