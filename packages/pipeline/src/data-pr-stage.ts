/**
 * The data-PR stage, as the open-data-pr action and `wms github data-pr` run it: read data-qa's
 * report files, then open or update the data pull request (valid data) or leave one sticky commit
 * comment with the errors and fail (invalid data).
 */
import { promises as fsp } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { mdHeading, mdTable, UserError, type Logger } from '@wms/core';
import {
  explainGitHubError,
  publishDataReport,
  type DataPrResult,
  type DataReport,
  type GitHubClient,
} from '@wms/github';

export interface DataPrStageOptions {
  /** data-qa's qa-report.json (its report-path output); qa-report.md is read from beside it. */
  reportPath: string;
  branch: string;
  base: string;
  headSha: string;
  branchPrefix: string;
  reportUrl?: string;
  workspace: string;
}

export interface DataPrStageResult extends DataPrResult {
  dryRun: boolean;
  summary: string;
  /** Set when the data is invalid: the job fails after commenting. */
  failure?: string;
}

/** Reads qa-report.json (the verdict and counts) and qa-report.md (what people read). */
export async function readDataReport(reportPath: string): Promise<DataReport> {
  const read = async (file: string): Promise<string> => {
    try {
      return await fsp.readFile(file, 'utf8');
    } catch (error) {
      throw new UserError(`Cannot read the data-qa report ${file}: ${(error as Error).message}.`, {
        hint: "Pass data-qa's report-path output (qa-report.json; qa-report.md must be beside it).",
        cause: error,
      });
    }
  };
  const raw = await read(reportPath);
  let parsed: { valid?: unknown; counts?: { validPairs?: unknown; errors?: unknown; warnings?: unknown } };
  try {
    parsed = JSON.parse(raw) as typeof parsed;
  } catch (error) {
    throw new UserError(`${reportPath} is not JSON: ${(error as Error).message}.`, { cause: error });
  }
  const counts = parsed.counts ?? {};
  const numbers = [counts.validPairs, counts.errors, counts.warnings];
  if (typeof parsed.valid !== 'boolean' || !numbers.every((n) => typeof n === 'number')) {
    throw new UserError(`${reportPath} has no boolean 'valid' and numeric counts.validPairs/errors/warnings.`, {
      hint: 'Point it at the qa-report.json the data-qa action wrote.',
    });
  }
  return {
    valid: parsed.valid,
    validPairs: counts.validPairs as number,
    errors: counts.errors as number,
    warnings: counts.warnings as number,
    markdown: await read(join(dirname(reportPath), 'qa-report.md')),
  };
}

function renderSummary(result: DataPrResult, dryRun: boolean, options: DataPrStageOptions): string {
  const pr = result.pullRequest;
  const what =
    result.outcome === 'invalid'
      ? `❌ data invalid — commented on ${options.headSha.slice(0, 12)}, no pull request`
      : dryRun
        ? `✅ data valid — would ${result.outcome === 'created' ? 'open' : 'update'} the pull request`
        : `✅ pull request #${pr?.number} ${result.outcome}`;
  return [
    mdHeading(`Data PR: ${what}${dryRun ? ' (dry run)' : ''}`),
    '',
    mdTable(
      ['Branch', 'Base', 'Commit', 'Pull request', 'Comment'],
      [[options.branch, options.base, options.headSha.slice(0, 12), pr ? pr.url : '—', result.commentUrl ?? '—']],
    ),
  ].join('\n');
}

export async function runDataPrStage(
  options: DataPrStageOptions,
  deps: { client: GitHubClient; logger: Logger },
): Promise<DataPrStageResult> {
  const report = await readDataReport(resolve(options.workspace, options.reportPath));
  const result = await publishDataReport(
    deps.client,
    {
      branch: options.branch,
      base: options.base,
      headSha: options.headSha,
      branchPrefix: options.branchPrefix,
      report,
      reportUrl: options.reportUrl,
    },
    deps.logger,
  ).catch((error: unknown) => {
    throw explainGitHubError(error);
  });
  const failure =
    result.outcome === 'invalid'
      ? `Data QA found ${report.errors} error(s) on ${options.branch}; no pull request was opened. The errors are in the commit comment${result.commentUrl ? ` (${result.commentUrl})` : ''}: fix them and push again.`
      : undefined;
  return {
    ...result,
    dryRun: deps.client.dryRun,
    summary: renderSummary(result, deps.client.dryRun, options),
    failure,
  };
}
