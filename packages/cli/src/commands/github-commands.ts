/**
 * `wms github data-pr | results | auto-merge`: the GitHub stages the actions run, from a terminal.
 * Without a token (--token, GITHUB_TOKEN or GH_TOKEN) every call is printed and nothing is sent;
 * the repository, branch and SHA default to the checkout's origin and HEAD.
 */
import { execFileSync } from 'node:child_process';
import type { Command } from 'commander';
import { UserError } from '@wms/core';
import {
  createGitHubClient,
  parseRepository,
  tuningFromEnv,
  type GitHubClient,
  type MergeMethod,
  type RepoRef,
} from '@wms/github';
import { runAutoMergeStage, runDataPrStage, runResultsCommentStage } from '@wms/pipeline';
import { choiceOption, integerOption, numberOption, type CliContext } from '../cli-options';

interface GitHubFlags {
  repo?: string;
  token?: string;
  sha?: string;
}

function git(args: string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

/** --repo, else GITHUB_REPOSITORY, else owner/name of a github.com origin remote. */
export function repositoryFrom(flag: string | undefined, ctx: CliContext): RepoRef {
  const origin = git(['remote', 'get-url', 'origin'], ctx.cwd) ?? '';
  const fromOrigin = /github\.com[:/]([^/]+\/[^/]+?)(\.git)?$/.exec(origin)?.[1];
  return parseRepository(flag || ctx.env.GITHUB_REPOSITORY || fromOrigin, '--repo (or GITHUB_REPOSITORY, or origin)');
}

function headSha(flag: string | undefined, ctx: CliContext): string {
  const sha = flag || ctx.env.GITHUB_SHA || git(['rev-parse', 'HEAD'], ctx.cwd) || '';
  if (!/^[0-9a-f]{40}$/i.test(sha)) {
    throw new UserError(`--sha is ${JSON.stringify(sha)}; expected a 40-character commit SHA.`, {
      hint: 'Run inside the checkout or pass --sha.',
    });
  }
  return sha.toLowerCase();
}

function client(flags: GitHubFlags, ctx: CliContext, token = flags.token): GitHubClient {
  return createGitHubClient({
    token: token ?? ctx.env.GITHUB_TOKEN ?? ctx.env.GH_TOKEN,
    repo: repositoryFrom(flags.repo, ctx),
    env: ctx.env,
    logger: ctx.logger,
    tuning: tuningFromEnv(ctx.env),
  });
}

function addGitHubOptions(command: Command): Command {
  return command
    .option('--repo <owner/name>', 'repository (default: GITHUB_REPOSITORY, else the origin remote)')
    .option('--token <token>', 'GitHub token (default: GITHUB_TOKEN / GH_TOKEN; none: dry run that prints the calls)')
    .option('--sha <sha>', 'the commit (default: GITHUB_SHA, else HEAD)');
}

interface GateFlags {
  improved: boolean;
  reason: string;
}

const booleanOption =
  (flag: string) =>
  (raw: string): boolean => {
    if (raw === 'true' || raw === 'false') return raw === 'true';
    throw new UserError(`Option ${flag} received ${JSON.stringify(raw)}; expected true or false.`);
  };

export function registerGitHubCommands(program: Command, ctx: CliContext): void {
  const github = program
    .command('github')
    .description('The GitHub stages (data PR, results comment, approval + auto-merge); a dry run without a token.');

  addGitHubOptions(github.command('data-pr'))
    .description(
      'Open or update the data PR with the data-qa report, or comment on the commit when the data is invalid.',
    )
    .requiredOption('--report <file>', "data-qa's qa-report.json (qa-report.md beside it)")
    .option('--branch <name>', 'the data branch (default: the current branch)')
    .option('--base <branch>', 'target branch', 'main')
    .option('--branch-prefix <prefix>', 'data branch prefix', 'data/')
    .option('--report-url <url>', 'link to the full report when a body must be cut')
    .action(
      async (
        o: GitHubFlags & { report: string; branch?: string; base: string; branchPrefix: string; reportUrl?: string },
      ) => {
        const branch = o.branch || git(['rev-parse', '--abbrev-ref', 'HEAD'], ctx.cwd) || '';
        const result = await runDataPrStage(
          {
            reportPath: o.report,
            branch,
            base: o.base,
            headSha: headSha(o.sha, ctx),
            branchPrefix: o.branchPrefix,
            reportUrl: o.reportUrl,
            workspace: ctx.cwd,
          },
          { client: client(o, ctx), logger: ctx.logger },
        );
        ctx.print(result.summary);
        if (result.failure) {
          ctx.logger.error(result.failure);
          process.exitCode = 1;
        }
      },
    );

  addGitHubOptions(github.command('results'))
    .description('Write the sticky training-results comment on the data PR from a model folder and the gate verdict.')
    .requiredOption('--pr <n>', 'pull request number', integerOption('--pr', 1))
    .requiredOption('--model-dir <dir>', "the train run's model folder (metrics.json)")
    .requiredOption('--improved <bool>', "the gate's verdict: true or false", booleanOption('--improved'))
    .requiredOption('--reason <text>', "the gate's reason")
    .requiredOption('--baseline-dice <d>', 'champion Dice', numberOption('--baseline-dice', 0, 1))
    .requiredOption('--baseline-iou <d>', 'champion IoU', numberOption('--baseline-iou', 0, 1))
    .requiredOption('--candidate-dice <d>', 'candidate Dice', numberOption('--candidate-dice', 0, 1))
    .requiredOption('--candidate-iou <d>', 'candidate IoU', numberOption('--candidate-iou', 0, 1))
    .option('--champion-version <v>', "the champion compared against ('none': no champion)", 'none')
    .option('--baseline-source <s>', 're-evaluated, recorded or none', 're-evaluated')
    .option('--model-name <name>', 'registered model name', 'water-meter')
    .option('--promoted-version <v>', 'the version promote registered')
    .option('--champion-scores <file>', 'JSON { perImage: [{ id, dice, iou }] } of the champion')
    .option('--no-auto-merge', 'say that a maintainer merges (no auto-merge step follows)')
    .action(
      async (
        o: GitHubFlags &
          GateFlags & {
            pr: number;
            modelDir: string;
            baselineDice: number;
            baselineIou: number;
            candidateDice: number;
            candidateIou: number;
            championVersion: string;
            baselineSource: string;
            modelName: string;
            promotedVersion?: string;
            championScores?: string;
            autoMerge: boolean;
          },
      ) => {
        const result = await runResultsCommentStage(
          {
            prNumber: o.pr,
            headSha: headSha(o.sha, ctx),
            modelDir: o.modelDir,
            gate: {
              model: o.modelName,
              improved: o.improved,
              reason: o.reason,
              candidate: { dice: o.candidateDice, iou: o.candidateIou },
              baseline: { dice: o.baselineDice, iou: o.baselineIou },
              championVersion: o.championVersion === 'none' ? null : o.championVersion,
              baselineSource: o.baselineSource,
            },
            championScoresPath: o.championScores,
            promotedVersion: o.promotedVersion,
            autoMerge: o.autoMerge,
            branchPrefix: 'data/',
            workspace: ctx.cwd,
          },
          { client: client(o, ctx), logger: ctx.logger },
        );
        ctx.print(result.summary);
      },
    );

  addGitHubOptions(github.command('auto-merge'))
    .description('Report the gate verdict on the head SHA, then approve and enable auto-merge (or merge now).')
    .requiredOption('--pr <n>', 'pull request number', integerOption('--pr', 1))
    .requiredOption('--improved <bool>', "the gate's verdict: true or false", booleanOption('--improved'))
    .option('--reason <text>', "the gate's reason", '')
    .option('--approve-token <token>', 'token of the approving identity (App installation token or bot PAT)')
    .option('--no-approve', 'do not approve')
    .option(
      '--merge-method <m>',
      'squash, merge or rebase',
      choiceOption('--merge-method', ['squash', 'merge', 'rebase'] as const),
      'squash',
    )
    .option(
      '--merge-fallback <f>',
      'merge or fail',
      choiceOption('--merge-fallback', ['merge', 'fail'] as const),
      'merge',
    )
    .option('--status-context <name>', 'commit status branch protection requires', 'wms/quality-gate')
    .option('--branch-prefix <prefix>', 'only these branches are deleted', 'data/')
    .action(
      async (
        o: GitHubFlags &
          GateFlags & {
            pr: number;
            approveToken?: string;
            approve: boolean;
            mergeMethod: MergeMethod;
            mergeFallback: 'merge' | 'fail';
            statusContext: string;
            branchPrefix: string;
          },
      ) => {
        const github = client(o, ctx);
        const result = await runAutoMergeStage(
          {
            prNumber: o.pr,
            headSha: headSha(o.sha, ctx),
            gate: {
              passed: o.improved,
              reason: o.reason || (o.improved ? 'Quality gate passed.' : 'Quality gate did not pass.'),
            },
            approve: o.approve,
            mergeMethod: o.mergeMethod,
            mergeFallback: o.mergeFallback,
            statusContext: o.statusContext,
            branchPrefix: o.branchPrefix,
          },
          { client: github, approver: o.approveToken ? client(o, ctx, o.approveToken) : github, logger: ctx.logger },
        );
        ctx.print(result.summary);
        if (result.failure) {
          ctx.logger.error(result.failure);
          process.exitCode = 1;
        }
      },
    );
}
