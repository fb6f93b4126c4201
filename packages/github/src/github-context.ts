/**
 * Where the stages talk to: the repository, the API roots and the run link, from the runner's
 * environment (GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_GRAPHQL_URL, GITHUB_SERVER_URL,
 * GITHUB_RUN_ID) or from flags; and the client for a token, or the dry run without one.
 */
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
  if (!request.token) {
    request.logger.info('No GitHub token: dry run — every call is printed, nothing is sent.');
    return new DryRunGitHubClient(request.repo, request.logger);
  }
  return new OctokitGitHubClient({
    token: request.token,
    repo: request.repo,
    apiUrl: request.env.GITHUB_API_URL || DEFAULT_API_URL,
    graphqlUrl: request.env.GITHUB_GRAPHQL_URL || undefined,
    logger: request.logger,
    ...request.tuning,
  });
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
