import type { InputValues } from '@wms/core';
import type { ActionContext, ActionResult, PostResult } from '@wms/core/action';
import { runStartInfraStage } from '@wms/pipeline/start-infra-stage';
import { runStopInfraStage } from '@wms/pipeline/stop-infra-stage';
import { postStopOptions, startOptionsFromInputs } from './infra-inputs';
import type { spec } from './spec';

type Inputs = InputValues<typeof spec.inputs>;

/** Starts (or applies, or only awaits) the MLflow host; each output is set the moment it is known. */
export async function runStartInfraAction(
  inputs: Inputs,
  ctx: ActionContext,
): Promise<ActionResult<keyof typeof spec.outputs>> {
  const options = startOptionsFromInputs(inputs, ctx.workspace, ctx.env);
  const result = await runStartInfraStage(options, {
    logger: ctx.logger,
    onKnown: (fact, value) => {
      ctx.setOutput?.(fact, value);
      ctx.state?.save(fact, value);
    },
  });
  return {
    outputs: {
      'mlflow-url': result.mlflowUrl,
      'instance-id': result.instanceId,
      'instance-type': result.instanceType,
      started: result.started,
      'started-at': result.startedAt,
      mode: result.mode,
    },
    summary: result.summary,
  };
}

/** The post step: stops what the main step started (even when it failed or was cancelled half-way). */
export async function runStartInfraPost(inputs: Inputs, ctx: ActionContext): Promise<PostResult> {
  const state = (name: string): string => ctx.state?.get(name) ?? '';
  if (!inputs['stop-on-post'] || state('started') !== 'true') {
    ctx.logger.info(
      inputs['stop-on-post']
        ? 'This run started nothing; nothing to stop.'
        : 'stop-on-post is false; stop-infra stops the host.',
    );
    return {};
  }
  const result = await runStopInfraStage(postStopOptions(inputs, state, ctx.workspace, ctx.env), {
    logger: ctx.logger,
  });
  return { summary: result.summary };
}
