import type { InputValues } from '@wms/core';
import type { ActionContext, ActionResult } from '@wms/core/action';
import { createHeldOutEvaluator, runGateStage } from '@wms/pipeline/gate-stage';
import { openRegistry, registryNotice, registryOptionsFromInputs } from '@wms/pipeline/registry-options';
import { renderGateSummary } from '@wms/registry';
import { gateOutputs } from './gate-outputs';
import type { spec } from './spec';

type Outputs = keyof typeof spec.outputs;

/** Scores candidate and champion on the same pairs and decides; the evaluator is injectable for tests. */
export async function runQualityGateAction(
  inputs: InputValues<typeof spec.inputs>,
  ctx: ActionContext,
  makeEvaluator = createHeldOutEvaluator,
): Promise<ActionResult<Outputs>> {
  const backend = openRegistry(registryOptionsFromInputs(inputs, ctx.env), ctx);
  const result = await runGateStage(
    {
      model: inputs['model-name'],
      candidateModelDir: inputs['model-dir'],
      datasetDir: inputs['dataset-dir'],
      workspace: ctx.workspace,
      config: inputs.config || undefined,
      backend: inputs.backend,
      scratchDir: ctx.env.RUNNER_TEMP || undefined,
      outputDir: inputs['output-dir'],
      policy: {
        minDiceDelta: inputs['min-dice-delta'],
        minIouDelta: inputs['min-iou-delta'],
        confidence: inputs.confidence,
        requireSignificance: inputs['require-significance'],
        seed: inputs['bootstrap-seed'],
      },
    },
    {
      registry: backend.registry,
      logger: ctx.logger,
      progress: ctx.progress,
      makeEvaluator,
      notice: registryNotice(backend),
    },
  );
  const failure = !result.improved && inputs['fail-on-regression'] ? `Quality gate: ${result.reason}` : undefined;
  return {
    outputs: { ...gateOutputs(result), 'scores-path': result.scoresPath ?? '' },
    summary: renderGateSummary(result),
    failure,
  };
}
