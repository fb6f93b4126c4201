import { defineAction } from '@wms/core';

export const spec = defineAction({
  name: 'auto-merge',
  inputs: {
    improved: {
      kind: 'boolean',
      required: true,
      description: "The quality gate's improved output: only 'true' is approved and merged.",
    },
    reason: {
      kind: 'string',
      default: '',
      description: "The quality gate's reason output; becomes the commit status description.",
    },
    'pr-number': {
      kind: 'string',
      default: '',
      description: "The data pull request (open-data-pr's pr-number). Empty: the pull_request event's number.",
    },
    'head-sha': {
      kind: 'string',
      default: '',
      description:
        "The SHA that was trained; nothing else is approved or merged. Empty: the pull request event's head, else GITHUB_SHA.",
    },
    approve: { kind: 'boolean', default: true, description: 'Approve the pull request when the gate passed.' },
    'approve-token': {
      kind: 'string',
      secret: true,
      default: '',
      description:
        'Token of the approving identity: a GitHub App installation token or a bot PAT, not the identity that opened the PR. Empty: github-token.',
    },
    'github-token': {
      kind: 'string',
      secret: true,
      default: '${{ github.token }}',
      description:
        'Token for the status, comments, auto-merge, merge and branch deletion (statuses/pull-requests/contents: write). Empty: dry run.',
    },
    'merge-method': {
      kind: 'string',
      choices: ['squash', 'merge', 'rebase'],
      default: 'squash',
      description: 'How the pull request is merged: squash, merge or rebase.',
    },
    'merge-fallback': {
      kind: 'string',
      choices: ['merge', 'fail'],
      default: 'merge',
      description:
        "When GitHub refuses auto-merge (not allowed, already mergeable): 'merge' merges now if mergeable, 'fail' fails with the fix.",
    },
    'status-context': {
      kind: 'string',
      default: 'wms/quality-gate',
      description: 'Name of the commit status with the gate verdict; require it in branch protection.',
    },
    'branch-prefix': {
      kind: 'string',
      default: 'data/',
      description: 'Only head branches with this prefix are ever deleted.',
    },
    repository: { kind: 'string', default: '', description: 'OWNER/REPO. Empty: GITHUB_REPOSITORY.' },
  },
  outputs: {
    'pr-number': { description: 'The pull request number.' },
    'pr-url': { description: "The pull request's web page." },
    approved: { description: "'true' when this run (or an earlier one) approved the trained SHA." },
    'auto-merge': { description: 'enabled, merged, skipped or failed.' },
    'comment-id': { description: "The sticky comment explaining a refusal (fork, approval, merge); '' when none." },
    'status-state': { description: "The commit status posted on head-sha: success, failure, or '' (fork, closed PR)." },
  },
});
