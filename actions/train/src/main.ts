import type { InputValues } from '@wms/core';
import type { ActionContext, ActionResult } from '@wms/core/action';
import { trainSummaryMarkdown } from '@wms/model';
import { createTracker, runTrainStage, type CreateTracker } from '@wms/pipeline';
import type { spec } from './spec';

type Outputs = keyof typeof spec.outputs;

/** Discovers pairs, trains, and reports; the tracker factory is injectable for tests. */
export async function runTrainAction(
  inputs: InputValues<typeof spec.inputs>,
  ctx: ActionContext,
  makeTracker: CreateTracker = createTracker,
): Promise<ActionResult<Outputs>> {
  const result = await runTrainStage(
    {
      dataDir: inputs['data-dir'],
      config: inputs.config || undefined,
      outputDir: inputs['output-dir'],
      backend: inputs.backend,
      timeBudgetSec: inputs['time-budget'],
      seed: inputs.seed,
      trackingUri: inputs['tracking-uri'] || undefined,
      experiment: inputs.experiment,
      workspace: ctx.workspace,
      env: ctx.env,
    },
    { logger: ctx.logger, progress: ctx.progress, createTracker: makeTracker },
  );
  const { dice, iou } = result.metrics.heldOut.mean;
  return {
    outputs: { dice, iou, 'model-dir': result.modelDir, 'run-id': result.runId, backend: result.backend.name },
    summary: trainSummaryMarkdown(result),
  };
}
