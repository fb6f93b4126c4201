import type { InputValues } from '@wms/core';
import type { ActionContext, ActionResult } from '@wms/core/action';
import { connectFromInputs, resolveHeadSha, resolvePullRequestNumber, runUrlFromEnv } from '@wms/github';
import { runResultsCommentStage } from '@wms/pipeline/results-comment-stage';
import type { spec } from './spec';

/** The sticky training-results comment on the data PR, from the train and gate outputs. */
export async function runReportResultsAction(
  inputs: InputValues<typeof spec.inputs>,
  ctx: ActionContext,
): Promise<ActionResult<keyof typeof spec.outputs>> {
  const { env, logger } = ctx;
  const { client } = connectFromInputs(inputs, env, logger);
  const prNumber = resolvePullRequestNumber(inputs['pr-number'], env, "Input 'pr-number'");
  const result = await runResultsCommentStage(
    {
      prNumber,
      headSha: resolveHeadSha(inputs['head-sha'], env, "Input 'head-sha'"),
      modelDir: inputs['model-dir'],
      gate: {
        model: inputs['model-name'],
        improved: inputs.improved,
        reason: inputs.reason,
        candidate: { dice: inputs['candidate-dice'], iou: inputs['candidate-iou'] },
        baseline: { dice: inputs['baseline-dice'], iou: inputs['baseline-iou'] },
        championVersion: inputs['champion-version'] === 'none' ? null : inputs['champion-version'],
        baselineSource: inputs['baseline-source'],
      },
      championScoresPath: inputs['champion-scores'] || undefined,
      promotedVersion: inputs['promoted-version'] || undefined,
      autoMerge: inputs['auto-merge'],
      runUrl: runUrlFromEnv(env),
      branchPrefix: inputs['branch-prefix'],
      workspace: ctx.workspace,
    },
    { client, logger },
  );
  return {
    outputs: {
      'comment-id': result.dryRun ? '' : (result.commentId ?? ''),
      'comment-url': result.dryRun ? '' : (result.commentUrl ?? ''),
      'pr-number': prNumber,
    },
    summary: result.summary,
  };
}
