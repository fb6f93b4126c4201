import { resolve } from 'node:path';
import type { InputValues } from '@wms/core';
import type { ActionContext, ActionResult } from '@wms/core/action';
import {
  githubRunFromEnv,
  parseExpectedChampion,
  promoteCandidate,
  readCandidateRecord,
  registryFromInputs,
  renderPromotionSummary,
} from '@wms/registry';
import { promoteOutputs } from './promote-outputs';
import type { spec } from './spec';

/** Registers the gated candidate and moves the champion to it, unless another promotion won the race. */
export async function runPromoteAction(
  inputs: InputValues<typeof spec.inputs>,
  ctx: ActionContext,
): Promise<ActionResult<keyof typeof spec.outputs>> {
  const expectedChampionVersion = parseExpectedChampion(inputs['expected-champion']);
  const backend = registryFromInputs(inputs, ctx);
  const record = await readCandidateRecord(inputs['model-dir'], { requireSplit: false });
  const result = await promoteCandidate(
    {
      model: inputs['model-name'],
      candidateModelDir: inputs['model-dir'],
      runId: inputs['run-id'] || record.runId || undefined,
      expectedChampionVersion,
      candidate: { dice: inputs['candidate-dice'], iou: inputs['candidate-iou'] },
      baseline: { dice: inputs['baseline-dice'], iou: inputs['baseline-iou'] },
      reason: inputs.reason,
      github: githubRunFromEnv(ctx.env, inputs['pr-number']),
      metadataDir: resolve(ctx.workspace, inputs['metadata-dir']),
      trainingDataCount: record.trainCount,
      trainedAt: record.createdAt,
    },
    { registry: backend.registry, logger: ctx.logger },
  );
  return { outputs: promoteOutputs(result), summary: renderPromotionSummary(result, backend.location) };
}
