import type { InputValues } from '@wms/core';
import type { ActionContext, ActionResult } from '@wms/core/action';
import { connectFromInputs, resolveHeadSha, resolvePullRequestNumber, runUrlFromEnv } from '@wms/github';
import { runAutoMergeStage } from '@wms/pipeline/auto-merge-stage';
import type { spec } from './spec';

/** Gate verdict as a commit status, then approve and auto-merge (or merge now) when it passed. */
export async function runAutoMergeAction(
  inputs: InputValues<typeof spec.inputs>,
  ctx: ActionContext,
): Promise<ActionResult<keyof typeof spec.outputs>> {
  const { env, logger } = ctx;
  const { client, clientFor } = connectFromInputs(inputs, env, logger);
  const approver = inputs['approve-token'] ? clientFor(inputs['approve-token']) : client;
  const result = await runAutoMergeStage(
    {
      prNumber: resolvePullRequestNumber(inputs['pr-number'], env, "Input 'pr-number'"),
      headSha: resolveHeadSha(inputs['head-sha'], env, "Input 'head-sha'"),
      gate: {
        passed: inputs.improved,
        reason: inputs.reason || (inputs.improved ? 'Quality gate passed.' : 'Quality gate did not pass.'),
      },
      approve: inputs.approve,
      mergeMethod: inputs['merge-method'],
      mergeFallback: inputs['merge-fallback'],
      statusContext: inputs['status-context'],
      runUrl: runUrlFromEnv(env),
      branchPrefix: inputs['branch-prefix'],
    },
    { client, approver, logger },
  );
  return {
    outputs: {
      'pr-number': result.pullRequest.number,
      'pr-url': result.pullRequest.url,
      approved: result.approved,
      'auto-merge': result.autoMerge,
      'comment-id': result.dryRun ? '' : (result.commentId ?? ''),
      'status-state': result.statusState ?? '',
    },
    summary: result.summary,
    failure: result.failure,
  };
}
