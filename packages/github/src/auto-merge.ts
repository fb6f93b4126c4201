/**
 * After the quality gate: report its verdict as a commit status on the exact head SHA that was
 * trained (branch protection requires it), approve when it passed, enable auto-merge (or merge now,
 * as `mergeFallback` says), and delete the data branch when the repository does not.
 */
import { defaultSleep, type Logger } from '@wms/core';
import type { GitHubClient, MergeMethod, PullRequestInfo } from './client';
import { refuseForkPullRequest, isForkPullRequest } from './fork-guard';
import {
  approvalFix,
  autoMergeRefusalText,
  classifyApprovalRefusal,
  classifyAutoMergeRefusal,
  describeMergeRefusal,
  githubMessages,
  httpStatusOf,
  type AutoMergeRefusal,
} from './github-errors';
import { findSticky, upsertPullRequestComment } from './sticky-comment';

export type MergeFallback = 'merge' | 'fail';
export type AutoMergeOutcome = 'enabled' | 'merged' | 'skipped' | 'failed';
export type BranchOutcome = 'deleted' | 'deleted-by-setting' | 'left-to-setting' | 'kept' | 'not-merged';

export interface AutoMergeRequest {
  prNumber: number;
  /** The SHA that was trained and gated; nothing else is approved or merged. */
  headSha: string;
  gate: { passed: boolean; reason: string };
  approve: boolean;
  mergeMethod: MergeMethod;
  mergeFallback: MergeFallback;
  /** The commit status branch protection requires. */
  statusContext: string;
  runUrl?: string;
  branchPrefix: string;
  /** Wait between reads while GitHub computes mergeability (default 2 s, 5 reads). */
  mergeablePollMs?: number;
}

export interface AutoMergeResult {
  pullRequest: PullRequestInfo;
  approved: boolean;
  autoMerge: AutoMergeOutcome;
  branch: BranchOutcome;
  statusState: 'success' | 'failure' | null;
  /** What happened, in order, for the summary and the log. */
  steps: string[];
  /** Set when the job should fail (a refusal with its fix). */
  failure?: string;
  fork: boolean;
  commentId: number | null;
}

export interface AutoMergeClients {
  /** Statuses, comments, merge, branch deletion. */
  github: GitHubClient;
  /** The approving identity (approve-token); the same client when none was given. */
  approver: GitHubClient;
}

const APPROVAL_MARKER = '<!-- wms:approval -->';

async function reportStatus(client: GitHubClient, request: AutoMergeRequest): Promise<'success' | 'failure'> {
  const state = request.gate.passed ? 'success' : 'failure';
  await client.createCommitStatus(request.headSha, {
    state,
    context: request.statusContext,
    description: request.gate.reason,
    targetUrl: request.runUrl,
  });
  return state;
}

async function approve(
  approver: GitHubClient,
  pr: PullRequestInfo,
  request: AutoMergeRequest,
): Promise<{ approved: boolean; step: string; failure?: string }> {
  const reviews = await approver.listReviews(pr.number);
  if (
    reviews.some((r) => r.state === 'APPROVED' && r.commitId === request.headSha && r.body.includes(APPROVAL_MARKER))
  ) {
    return { approved: true, step: `Already approved at ${request.headSha.slice(0, 12)} by an earlier run.` };
  }
  try {
    await approver.approvePullRequest(pr.number, {
      commitId: request.headSha,
      body: `${APPROVAL_MARKER}\nApproved by the WMS quality gate: ${request.gate.reason}`,
    });
    return { approved: true, step: `Approved at ${request.headSha.slice(0, 12)}.` };
  } catch (error) {
    const refusal = classifyApprovalRefusal(error);
    if (!refusal) throw error;
    const fix = approvalFix(refusal, pr.author);
    return { approved: false, step: fix, failure: fix };
  }
}

const MERGEABLE_READS = 5;

/** GitHub answers mergeable: null while it computes it in the background; read again a few times. */
async function readMergeable(client: GitHubClient, number: number, pollMs: number): Promise<PullRequestInfo> {
  for (let read = 1; ; read++) {
    const pr = await client.getPullRequest(number);
    if (pr.mergeable !== null || client.dryRun || read >= MERGEABLE_READS) return pr;
    await defaultSleep(pollMs);
  }
}

async function mergeNow(
  client: GitHubClient,
  pr: PullRequestInfo,
  request: AutoMergeRequest,
  why: string,
): Promise<{ outcome: AutoMergeOutcome; step: string; failure?: string }> {
  const fresh = await readMergeable(client, pr.number, request.mergeablePollMs ?? 2000);
  if (fresh.headSha !== request.headSha) {
    const step = `${why}; not merged: the head moved to ${fresh.headSha.slice(0, 12)} since training.`;
    return { outcome: 'skipped', step };
  }
  if (fresh.mergeable === false || ['dirty', 'blocked', 'behind', 'draft'].includes(fresh.mergeableState)) {
    const step = `${why}; merge-fallback is 'merge' but the pull request is not mergeable now (state: ${fresh.mergeableState}). Resolve that and re-run.`;
    return { outcome: 'failed', step, failure: step };
  }
  try {
    const merged = await client.mergePullRequest(pr.number, { sha: request.headSha, method: request.mergeMethod });
    return {
      outcome: 'merged',
      step: `${why}; merged now (${request.mergeMethod}, merge-fallback 'merge')${merged.sha ? ` as ${merged.sha.slice(0, 12)}` : ''}.`,
    };
  } catch (error) {
    const status = httpStatusOf(error);
    if (status !== 405 && status !== 409 && status !== 422) throw error;
    const step = `${why}; ${describeMergeRefusal(error)}`;
    return { outcome: 'failed', step, failure: step };
  }
}

async function enableOrFallback(
  client: GitHubClient,
  pr: PullRequestInfo,
  request: AutoMergeRequest,
): Promise<{ outcome: AutoMergeOutcome; step: string; failure?: string }> {
  if (pr.autoMergeEnabled) return { outcome: 'enabled', step: 'Auto-merge was already enabled.' };
  let refusal: AutoMergeRefusal | null;
  try {
    await client.enableAutoMerge(pr.nodeId, { method: request.mergeMethod, expectedHeadSha: request.headSha });
    return {
      outcome: 'enabled',
      step: `Auto-merge enabled (${request.mergeMethod}); GitHub merges when the required checks and reviews pass.`,
    };
  } catch (error) {
    refusal = classifyAutoMergeRefusal(error);
    if (!refusal) {
      const step = `GitHub refused auto-merge: ${githubMessages(error)[0] ?? String(error)}`;
      return { outcome: 'failed', step, failure: step };
    }
  }
  const why = autoMergeRefusalText(refusal, request.mergeMethod);
  if (refusal === 'method-not-allowed') {
    // A merge now would be refused for the same method (405); there is nothing to fall back to.
    return { outcome: 'failed', step: `${why}.`, failure: `${why}.` };
  }
  if (request.mergeFallback === 'fail') {
    const fix =
      refusal === 'auto-merge-not-allowed'
        ? ''
        : refusal === 'clean-status'
          ? " — require the status check '" +
            request.statusContext +
            "' (or a review) on the base branch so auto-merge has something to wait for, or set merge-fallback: merge"
          : ' — fix or re-run the failing checks, or set merge-fallback: merge';
    const step = `${why}${fix}; merge-fallback is 'fail', so nothing was merged.`;
    return { outcome: 'failed', step, failure: step };
  }
  return mergeNow(client, pr, request, why);
}

async function deleteBranchAfterMerge(
  client: GitHubClient,
  pr: PullRequestInfo,
  outcome: AutoMergeOutcome,
  prefix: string,
): Promise<{ branch: BranchOutcome; step?: string }> {
  const ours = !isForkPullRequest(pr) && pr.headRef.startsWith(prefix) && pr.headRef !== prefix;
  if (outcome !== 'merged' && outcome !== 'enabled') return { branch: 'not-merged' };
  const settings = await client.getRepository();
  if (outcome === 'enabled') {
    if (settings.deleteBranchOnMerge)
      return {
        branch: 'left-to-setting',
        step: 'GitHub deletes the branch after the merge ("Automatically delete head branches").',
      };
    if (settings.deleteBranchOnMerge === null) {
      return {
        branch: 'left-to-setting',
        step: `This token cannot read "Automatically delete head branches": GitHub deletes ${pr.headRef} after the merge only if that setting is on.`,
      };
    }
    return {
      branch: 'kept',
      step: `${pr.headRef} stays after the automatic merge: enable Settings → General → "Automatically delete head branches" to have GitHub delete it.`,
    };
  }
  if (settings.deleteBranchOnMerge)
    return { branch: 'deleted-by-setting', step: 'GitHub deleted the branch ("Automatically delete head branches").' };
  if (!ours)
    return { branch: 'kept', step: `${pr.headRef} is not a ${prefix}* branch of this repository: not deleted.` };
  try {
    await client.deleteBranch(pr.headRef);
    return { branch: 'deleted', step: `Deleted ${pr.headRef}.` };
  } catch (error) {
    // Already gone: the repository setting (not visible to this token) deleted it.
    if (httpStatusOf(error) === 422 && githubMessages(error).some((m) => /Reference does not exist/i.test(m))) {
      return { branch: 'deleted-by-setting', step: `${pr.headRef} was already deleted.` };
    }
    throw error;
  }
}

async function explainOnPullRequest(
  client: GitHubClient,
  pr: PullRequestInfo,
  result: Pick<AutoMergeResult, 'steps' | 'failure'>,
): Promise<number | null> {
  // Only a refusal gets a comment; a later success updates that comment instead of leaving it stale.
  const existing = result.failure ? undefined : findSticky(await client.listIssueComments(pr.number), 'auto-merge');
  if (!result.failure && !existing) return null;
  const heading = result.failure ? '### ⚠️ Not merged automatically' : '### ✅ Approval and merge are on track';
  const body = [heading, '', ...result.steps.map((s) => `- ${s}`)].join('\n');
  const { comment } = await upsertPullRequestComment(client, pr.number, 'auto-merge', body);
  return comment.id;
}

export async function approveAndMerge(
  clients: AutoMergeClients,
  request: AutoMergeRequest,
  logger: Logger,
): Promise<AutoMergeResult> {
  const { github } = clients;
  const fetched = await github.getPullRequest(request.prNumber);
  // A dry run reads nothing: assume the pull request is open at the trained SHA.
  const pr = github.dryRun
    ? { ...fetched, headSha: request.headSha, nodeId: `(node id of #${fetched.number})` }
    : fetched;
  const base = { pullRequest: pr, approved: false, branch: 'not-merged' as BranchOutcome, commentId: null };
  if (isForkPullRequest(pr)) {
    const refusal = await refuseForkPullRequest(github, pr, request.branchPrefix, logger);
    return {
      ...base,
      autoMerge: 'skipped',
      statusState: null,
      steps: [refusal.message],
      fork: true,
      commentId: refusal.commentId,
    };
  }
  if (pr.state === 'closed') {
    const step = pr.merged
      ? `#${pr.number} is already merged.`
      : `#${pr.number} is closed: nothing to approve or merge.`;
    return { ...base, autoMerge: 'skipped', statusState: null, steps: [step], fork: false };
  }
  const steps: string[] = [];
  const log = (step: string): void => {
    steps.push(step);
    logger.info(step);
  };
  const statusState = await reportStatus(github, request);
  log(`Commit status ${request.statusContext} = ${statusState} on ${request.headSha.slice(0, 12)}.`);
  if (pr.headSha !== request.headSha) {
    log(
      `The pull request's head moved to ${pr.headSha.slice(0, 12)} after training ${request.headSha.slice(0, 12)}: not approved, not merged; the run for the new head decides.`,
    );
    return { ...base, autoMerge: 'skipped', statusState, steps, fork: false };
  }
  if (!request.gate.passed) {
    log(`Quality gate did not pass: ${request.gate.reason} Not approved, not merged.`);
    return { ...base, autoMerge: 'skipped', statusState, steps, fork: false };
  }

  let approved = false;
  if (request.approve) {
    const approval = await approve(clients.approver, pr, request);
    log(approval.step);
    approved = approval.approved;
    if (approval.failure) {
      const commentId = await explainOnPullRequest(github, pr, { steps, failure: approval.failure });
      return { ...base, autoMerge: 'skipped', statusState, steps, fork: false, failure: approval.failure, commentId };
    }
  } else {
    log("Approval skipped ('approve' is false).");
  }

  const merge = await enableOrFallback(github, pr, request);
  log(merge.step);
  const branch = await deleteBranchAfterMerge(github, pr, merge.outcome, request.branchPrefix);
  if (branch.step) log(branch.step);
  const commentId = await explainOnPullRequest(github, pr, { steps, failure: merge.failure });
  return {
    pullRequest: pr,
    approved,
    autoMerge: merge.outcome,
    branch: branch.branch,
    statusState,
    steps,
    failure: merge.failure,
    fork: false,
    commentId,
  };
}
