import type { InputValues } from '@wms/core';
import type { ActionContext, ActionResult } from '@wms/core/action';
import { registryFromInputs, renderGateSummary, runQualityGate } from '@wms/registry';
import { gateOutputs } from './gate-outputs';
import { createGateEvaluator } from './gate-evaluator';
import type { spec } from './spec';

type Outputs = keyof typeof spec.outputs;

/** Scores candidate and champion on the same pairs and decides; the evaluator is injectable for tests. */
export async function runQualityGateAction(
  inputs: InputValues<typeof spec.inputs>,
  ctx: ActionContext,
  makeEvaluator = createGateEvaluator,
): Promise<ActionResult<Outputs>> {
  const { registry } = registryFromInputs(inputs, ctx);
  const candidateModelDir = inputs['model-dir'];
  const evaluate = await makeEvaluator({
    ...ctx,
    candidateModelDir,
    datasetDir: inputs['dataset-dir'],
    backend: inputs.backend,
  });
  const policy = {
    minDiceDelta: inputs['min-dice-delta'],
    minIouDelta: inputs['min-iou-delta'],
    confidence: inputs.confidence,
  };
  const result = await runQualityGate(
    {
      model: inputs['model-name'],
      candidateModelDir,
      scratchDir: ctx.env.RUNNER_TEMP || undefined,
      policy: { ...policy, requireSignificance: inputs['require-significance'], seed: inputs['bootstrap-seed'] },
    },
    { registry, evaluate, logger: ctx.logger },
  );
  const failure = !result.improved && inputs['fail-on-regression'] ? `Quality gate: ${result.reason}` : undefined;
  return { outputs: gateOutputs(result), summary: renderGateSummary(result), failure };
}
