import { defineAction } from '@wms/core';

export const spec = defineAction({
  name: 'open-data-pr',
  inputs: {
    'report-path': {
      kind: 'string',
      required: true,
      description: "data-qa's report-path output (qa-report.json; qa-report.md must be beside it).",
    },
    'github-token': {
      kind: 'string',
      secret: true,
      default: '${{ github.token }}',
      description:
        'Token for the pull request and comments (pull-requests: write, contents: write). Empty: dry run that prints the calls.',
    },
    base: { kind: 'string', default: 'main', description: 'Branch the data pull request targets.' },
    branch: {
      kind: 'string',
      default: '',
      description: 'The pushed data branch. Empty: the branch of GITHUB_REF.',
    },
    'head-sha': {
      kind: 'string',
      default: '',
      description: 'The pushed commit the report describes. Empty: GITHUB_SHA.',
    },
    'branch-prefix': {
      kind: 'string',
      default: 'data/',
      description: 'Only branches with this prefix get a data pull request.',
    },
    'report-url': {
      kind: 'string',
      default: '',
      description: "Link to the full report, used when a body must be cut to GitHub's limit. Empty: this run's page.",
    },
    repository: { kind: 'string', default: '', description: 'OWNER/REPO. Empty: GITHUB_REPOSITORY.' },
  },
  outputs: {
    'pr-number': { description: "The data pull request's number ('' when the data is invalid and none is open)." },
    'pr-url': { description: "The data pull request's web page ('' when none)." },
    'comment-id': { description: "The sticky data-report comment (a commit comment for invalid data); '' when none." },
    outcome: { description: 'created, updated, unchanged or invalid.' },
    valid: { description: "'true' when the data passed data-qa (a pull request exists)." },
  },
});
