import type { InputValues } from '@wms/core';
import type { ActionContext, ActionResult } from '@wms/core/action';
import { connectFromInputs, resolveBranch, resolveHeadSha, runUrlFromEnv } from '@wms/github';
import { runDataPrStage } from '@wms/pipeline/data-pr-stage';
import type { spec } from './spec';

/** Opens or updates the data PR with the data-qa report, or comments on the commit and fails. */
export async function runOpenDataPrAction(
  inputs: InputValues<typeof spec.inputs>,
  ctx: ActionContext,
): Promise<ActionResult<keyof typeof spec.outputs>> {
  const { env, logger } = ctx;
  const { client } = connectFromInputs(inputs, env, logger);
  const result = await runDataPrStage(
    {
      reportPath: inputs['report-path'],
      branch: resolveBranch(inputs.branch, env, "Input 'branch'"),
      base: inputs.base,
      headSha: resolveHeadSha(inputs['head-sha'], env, "Input 'head-sha'"),
      branchPrefix: inputs['branch-prefix'],
      reportUrl: inputs['report-url'] || runUrlFromEnv(env),
      workspace: ctx.workspace,
    },
    { client, logger },
  );
  return {
    outputs: {
      // A dry run creates nothing: no number, page or comment to hand on.
      'pr-number': result.dryRun ? '' : (result.pullRequest?.number ?? ''),
      'pr-url': result.dryRun ? '' : (result.pullRequest?.url ?? ''),
      'comment-id': result.dryRun ? '' : (result.commentId ?? ''),
      outcome: result.outcome,
      valid: result.outcome !== 'invalid',
    },
    summary: result.summary,
    failure: result.failure,
  };
}
