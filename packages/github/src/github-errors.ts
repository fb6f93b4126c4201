/**
 * GitHub's refusals that have a known fix, recognised from the answers GitHub really sends
 * (REST 4xx bodies and GraphQL `errors[].message`), each mapped to the setting or token that fixes it.
 */
import { UserError } from '@wms/core';

/** The HTTP status of an Octokit RequestError, if that is what was thrown. */
export function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** Every human-readable message in a REST error body or GraphQL error list. */
export function githubMessages(error: unknown): string[] {
  const messages: string[] = [];
  const e = error as {
    message?: unknown;
    errors?: unknown;
    response?: { data?: { message?: unknown; errors?: unknown } };
  } | null;
  const push = (v: unknown): void => {
    if (typeof v === 'string' && v) messages.push(v);
    else if (v && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string') {
      messages.push((v as { message: string }).message);
    }
  };
  push(e?.response?.data?.message);
  if (Array.isArray(e?.response?.data?.errors)) e.response.data.errors.forEach(push);
  // GraphqlResponseError carries the GraphQL errors array itself.
  if (Array.isArray(e?.errors)) e.errors.forEach(push);
  push(e?.message);
  return messages;
}

function matches(error: unknown, pattern: RegExp): boolean {
  return githubMessages(error).some((m) => pattern.test(m));
}

export const SETTING_ACTIONS_CREATE_APPROVE =
  'Settings → Actions → General → Workflow permissions → "Allow GitHub Actions to create and approve pull requests" (for an organization, first Organization settings → Actions → General)';

export type ApprovalRefusal = 'own-pull-request' | 'actions-not-permitted';

export function classifyApprovalRefusal(error: unknown): ApprovalRefusal | null {
  if (httpStatusOf(error) !== 422) return null;
  if (matches(error, /can ?not approve your own pull request/i)) return 'own-pull-request';
  if (matches(error, /GitHub Actions is not permitted to (create or )?approve pull requests/i)) {
    return 'actions-not-permitted';
  }
  return null;
}

export function approvalFix(refusal: ApprovalRefusal, author: string): string {
  return refusal === 'own-pull-request'
    ? `GitHub refused the approval: "Can not approve your own pull request" — the approving identity also opened the pull request (${author || 'unknown author'}). Set the auto-merge step's 'approve-token' to a token of another identity: a GitHub App installation token (actions/create-github-app-token) or a personal access token of a bot user with pull-requests: write. With GITHUB_TOKEN opening the PR, GITHUB_TOKEN can never approve it.`
    : `GitHub refused the approval: "GitHub Actions is not permitted to approve pull requests." Enable ${SETTING_ACTIONS_CREATE_APPROVE}, or set the auto-merge step's 'approve-token' to a GitHub App installation token or a bot user's personal access token.`;
}

/** Creating a PR with GITHUB_TOKEN while the repository setting forbids it (403). */
export function isActionsCreatePrForbidden(error: unknown): boolean {
  return matches(error, /GitHub Actions is not permitted to create or approve pull requests/i);
}

export function isPullRequestAlreadyExists(error: unknown): boolean {
  return httpStatusOf(error) === 422 && matches(error, /A pull request already exists for/i);
}

/** Read-only token (fork PRs, missing permissions). */
export function isNotAccessible(error: unknown): boolean {
  return (
    httpStatusOf(error) === 403 && matches(error, /Resource not accessible by (integration|personal access token)/i)
  );
}

export type AutoMergeRefusal = 'clean-status' | 'auto-merge-not-allowed' | 'method-not-allowed' | 'unstable-status';

/** enablePullRequestAutoMerge's GraphQL refusals (HTTP 200 with `errors`). */
export function classifyAutoMergeRefusal(error: unknown): AutoMergeRefusal | null {
  if (matches(error, /is in clean status/i)) return 'clean-status';
  if (matches(error, /Auto ?merge is not allowed for this repository/i)) return 'auto-merge-not-allowed';
  if (matches(error, /Merge method .* not allowed on this repository/i)) return 'method-not-allowed';
  if (matches(error, /is in unstable status/i)) return 'unstable-status';
  return null;
}

export function autoMergeRefusalText(refusal: AutoMergeRefusal, method: string): string {
  switch (refusal) {
    case 'clean-status':
      return 'GitHub refused auto-merge because the pull request is already mergeable ("clean status": no required check or review left to wait for)';
    case 'auto-merge-not-allowed':
      return 'GitHub refused auto-merge: "Auto merge is not allowed for this repository" — enable Settings → General → Pull Requests → "Allow auto-merge"';
    case 'method-not-allowed':
      return `GitHub refused auto-merge: ${method} merging is not allowed on this repository — enable it in Settings → General → Pull Requests, or set 'merge-method' to an allowed one`;
    case 'unstable-status':
      return 'GitHub refused auto-merge because the pull request is in "unstable status" (a non-required check failed or is pending)';
  }
}

/** REST merge refusals: 405 not mergeable / method not allowed, 409 head moved. */
export function describeMergeRefusal(error: unknown): string {
  const message = githubMessages(error)[0] ?? String(error);
  const status = httpStatusOf(error);
  if (status === 409)
    return `GitHub refused the merge (409): ${message} — the head moved since training; the next run reports on the new head.`;
  if (status === 405 && /merges? (are|is) not allowed/i.test(message)) {
    return `GitHub refused the merge (405): ${message} Enable that merge method in Settings → General → Pull Requests, or set 'merge-method' to an allowed one.`;
  }
  return `GitHub refused the merge${status ? ` (${status})` : ''}: ${message}`;
}

/**
 * A refusal the person running the pipeline can fix (bad token, missing permission, wrong
 * repository) as a UserError that says so; anything else is returned unchanged.
 */
export function explainGitHubError(error: unknown): unknown {
  const status = httpStatusOf(error);
  if (status === undefined || error instanceof UserError) return error;
  const e = error as { request?: { method?: string; url?: string } };
  const call = `${e.request?.method ?? ''} ${e.request?.url ?? ''}`.trim();
  const message = githubMessages(error)[0] ?? String(error);
  if (status === 401) {
    return new UserError(`GitHub rejected the token (401 ${message}) on ${call}.`, {
      hint: "Check the 'github-token' / 'approve-token' input (or --token / GITHUB_TOKEN): it is expired, revoked or not a token.",
      cause: error,
    });
  }
  if (status === 403 && isNotAccessible(error)) {
    return new UserError(`GitHub refused ${call}: ${message} (403).`, {
      hint: 'The token lacks a permission: give the job `pull-requests: write`, `contents: write` and `statuses: write` (docs/github.md lists which step needs which), or pass a token that has them. Pull requests from forks only get a read-only token.',
      cause: error,
    });
  }
  if (status === 404) {
    return new UserError(`GitHub answered 404 Not Found for ${call}.`, {
      hint: 'Check the repository (GITHUB_REPOSITORY / --repo), the pull request number, and that the token can see the repository (a private repository answers 404 to a token without access).',
      cause: error,
    });
  }
  return error;
}
