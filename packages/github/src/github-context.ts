/**
 * Where the stages talk to: the repository, the API roots and the run link, from the runner's
 * environment (GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_GRAPHQL_URL, GITHUB_SERVER_URL,
 * GITHUB_RUN_ID) or from flags; and the client for a token, or the dry run without one.
 */
import { readFileSync } from 'node:fs';
import { UserError, type Logger } from '@wms/core';
import type { GitHubClient, RepoRef } from './client';
import { DryRunGitHubClient } from './dry-run-client';
import { DEFAULT_API_URL, OctokitGitHubClient, type OctokitClientOptions } from './octokit-client';

export function parseRepository(value: string | undefined, source: string): RepoRef {
  const match = /^([A-Za-z0-9-_.]+)\/([A-Za-z0-9-_.]+)$/.exec((value ?? '').trim());
  if (!match) {
    throw new UserError(
      `${source} is ${JSON.stringify(value ?? '')}; expected OWNER/REPO (e.g. octo-org/water-meters).`,
      {
        hint: 'On a runner GITHUB_REPOSITORY is set; locally pass --repo OWNER/REPO.',
      },
    );
  }
  return { owner: match[1]!, repo: match[2]! };
}

/** The run's web page, for links in comments and statuses; undefined outside a runner. */
export function runUrlFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = env;
  if (!GITHUB_REPOSITORY || !GITHUB_RUN_ID) return undefined;
  return `${(GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`;
}

export interface ClientRequest {
  /** Empty or undefined: dry run. */
  token: string | undefined;
  repo: RepoRef;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Overrides for tests (timings). */
  tuning?: Pick<OctokitClientOptions, 'retryAfterBaseMs' | 'writeSpacingMs' | 'retries' | 'timeoutMs'>;
}

export function createGitHubClient(request: ClientRequest): GitHubClient {
  // An input set to '' is parsed as the spec's default, the literal '${{ github.token }}' text
  // (the runner expands the default only when the input is not set): that means "no token".
  const token = request.token?.trim().startsWith('${{') ? '' : request.token?.trim();
  if (!token) {
    request.logger.info('No GitHub token: dry run — every call is printed, nothing is sent.');
    return new DryRunGitHubClient(request.repo, request.logger);
  }
  return new OctokitGitHubClient({
    token,
    repo: request.repo,
    apiUrl: request.env.GITHUB_API_URL || DEFAULT_API_URL,
    graphqlUrl: request.env.GITHUB_GRAPHQL_URL || undefined,
    logger: request.logger,
    ...request.tuning,
  });
}

/**
 * What every GitHub action starts with: the repository (its `repository` input, else
 * GITHUB_REPOSITORY) and a client per token on it (`clientFor('')` is the dry run).
 */
export function connectFromInputs(
  inputs: { repository?: string; 'github-token'?: string },
  env: NodeJS.ProcessEnv,
  logger: Logger,
): { repo: RepoRef; client: GitHubClient; clientFor: (token: string | undefined) => GitHubClient } {
  const repo = parseRepository(inputs.repository || env.GITHUB_REPOSITORY, "Input 'repository' / GITHUB_REPOSITORY");
  const tuning = tuningFromEnv(env);
  const clientFor = (token: string | undefined) => createGitHubClient({ token, repo, env, logger, tuning });
  return { repo, client: clientFor(inputs['github-token']), clientFor };
}

/** Test-only timings from the environment, so a bundle under test does not wait real seconds. */
export function tuningFromEnv(env: NodeJS.ProcessEnv): ClientRequest['tuning'] {
  const base = Number(env.WMS_GITHUB_RETRY_BASE_MS);
  const spacing = Number(env.WMS_GITHUB_WRITE_SPACING_MS);
  return {
    ...(env.WMS_GITHUB_RETRY_BASE_MS && Number.isFinite(base) ? { retryAfterBaseMs: base } : {}),
    ...(env.WMS_GITHUB_WRITE_SPACING_MS && Number.isFinite(spacing) ? { writeSpacingMs: spacing } : {}),
  };
}

interface PullRequestEvent {
  pull_request?: { number?: number; head?: { sha?: string } };
}

function readEvent(env: NodeJS.ProcessEnv): PullRequestEvent {
  if (!env.GITHUB_EVENT_PATH) return {};
  try {
    return JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as PullRequestEvent;
  } catch {
    return {};
  }
}

/** An explicit number, else the pull_request event's, else refs/pull/<n>/merge. */
export function resolvePullRequestNumber(value: string | undefined, env: NodeJS.ProcessEnv, source: string): number {
  const raw = (value ?? '').trim();
  const fromEvent = readEvent(env).pull_request?.number;
  const fromRef = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '')?.[1];
  const candidate = raw || (fromEvent ? String(fromEvent) : '') || fromRef || '';
  if (!/^\d+$/.test(candidate) || Number(candidate) < 1) {
    throw new UserError(
      `${source} is ${JSON.stringify(raw)} and the event has no pull request; expected a pull request number (e.g. 12).`,
      { hint: "Pass the data PR's number (open-data-pr's pr-number output)." },
    );
  }
  return Number(candidate);
}

/** An explicit SHA, else the pull request head's, else GITHUB_SHA. */
export function resolveHeadSha(value: string | undefined, env: NodeJS.ProcessEnv, source: string): string {
  const candidate = (value ?? '').trim() || readEvent(env).pull_request?.head?.sha || env.GITHUB_SHA || '';
  if (!/^[0-9a-f]{40}$/i.test(candidate)) {
    throw new UserError(`${source} is ${JSON.stringify(candidate)}; expected a 40-character commit SHA.`, {
      hint: 'Pass the SHA that was trained (github.sha of the data push).',
    });
  }
  return candidate.toLowerCase();
}

/** An explicit branch, else the pushed branch (GITHUB_REF_NAME of a refs/heads/ push). */
export function resolveBranch(value: string | undefined, env: NodeJS.ProcessEnv, source: string): string {
  const fromRef = env.GITHUB_REF?.startsWith('refs/heads/') ? env.GITHUB_REF.slice('refs/heads/'.length) : '';
  const candidate = (value ?? '').trim() || fromRef;
  if (!candidate) {
    throw new UserError(`${source} is empty and GITHUB_REF is not a branch; expected the pushed data branch.`, {
      hint: 'Run on a push to a data/* branch, or pass the branch name.',
    });
  }
  return candidate;
}
