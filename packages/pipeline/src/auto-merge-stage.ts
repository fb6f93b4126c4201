/**
 * The auto-merge stage, as the auto-merge action and `wms github auto-merge` run it: the gate's
 * verdict as a commit status on the trained head SHA, then approval and auto-merge (or merge now)
 * when it passed, with one summary block saying what happened and why.
 */
import { mdHeading, mdTable, type Logger } from '@wms/core';
import {
  explainGitHubError,
  approveAndMerge,
  type AutoMergeRequest,
  type AutoMergeResult,
  type GitHubClient,
} from '@wms/github';

export type AutoMergeStageOptions = AutoMergeRequest;

export interface AutoMergeStageResult extends AutoMergeResult {
  dryRun: boolean;
  summary: string;
}

const HEADLINE: Record<AutoMergeResult['autoMerge'], string> = {
  enabled: '✅ auto-merge enabled',
  merged: '✅ merged',
  skipped: '⏸️ not merged',
  failed: '❌ not merged',
};

function renderSummary(result: AutoMergeResult, dryRun: boolean, request: AutoMergeRequest): string {
  return [
    mdHeading(`Auto-merge: ${HEADLINE[result.autoMerge]} — #${result.pullRequest.number}${dryRun ? ' (dry run)' : ''}`),
    '',
    mdTable(
      ['Gate', 'Status on head', 'Approved', 'Auto-merge', 'Branch'],
      [
        [
          request.gate.passed ? 'passed' : 'not passed',
          result.statusState ? `${request.statusContext}: ${result.statusState}` : '—',
          result.approved ? 'yes' : 'no',
          result.autoMerge,
          result.branch,
        ],
      ],
    ),
    '',
    ...result.steps.map((s) => `- ${s}`),
  ].join('\n');
}

export async function runAutoMergeStage(
  options: AutoMergeStageOptions,
  deps: { client: GitHubClient; approver?: GitHubClient; logger: Logger },
): Promise<AutoMergeStageResult> {
  const result = await approveAndMerge(
    { github: deps.client, approver: deps.approver ?? deps.client },
    options,
    deps.logger,
  ).catch((error: unknown) => {
    throw explainGitHubError(error);
  });
  return { ...result, dryRun: deps.client.dryRun, summary: renderSummary(result, deps.client.dryRun, options) };
}
