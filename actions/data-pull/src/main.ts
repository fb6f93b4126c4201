import type { InputValues } from '@wms/core';
import type { ActionContext, ActionResult } from '@wms/core/action';
import { runDataPullStage } from '@wms/pipeline/data-pull-stage';
import type { spec } from './spec';

/** Materialises the data version named by the checked-out pointer files, verifying every MD5. */
export async function runDataPullAction(
  inputs: InputValues<typeof spec.inputs>,
  ctx: ActionContext,
): Promise<ActionResult<keyof typeof spec.outputs>> {
  const result = await runDataPullStage(
    {
      cwd: ctx.workspace,
      dataDir: inputs['data-dir'],
      remoteUrl: inputs.remote || undefined,
      jobs: inputs.jobs,
      env: ctx.env,
    },
    { logger: ctx.logger, progress: ctx.progress },
  );
  ctx.logger.info(result.message);
  return {
    outputs: {
      files: result.files,
      bytes: result.bytes,
      downloaded: result.downloaded,
      'data-dir': result.dataDir,
      version: result.version,
    },
    summary: result.summaryMarkdown,
  };
}
