import { defineAction } from '@wms/core';

const gateOutput = (name: string) => ({
  kind: 'number' as const,
  required: true as const,
  min: 0,
  max: 1,
  description: `The quality gate's ${name} output.`,
});

export const spec = defineAction({
  name: 'report-results',
  inputs: {
    'model-dir': {
      kind: 'string',
      required: true,
      description:
        "The train stage's model-dir output (metrics.json: learning curve, per-photo scores, backend, timings).",
    },
    improved: { kind: 'boolean', required: true, description: "The quality gate's improved output." },
    reason: { kind: 'string', required: true, description: "The quality gate's reason output." },
    'baseline-dice': gateOutput('baseline-dice'),
    'baseline-iou': gateOutput('baseline-iou'),
    'candidate-dice': gateOutput('candidate-dice'),
    'candidate-iou': gateOutput('candidate-iou'),
    'champion-version': {
      kind: 'string',
      default: 'none',
      description: "The quality gate's champion-version output ('none': no champion yet).",
    },
    'baseline-source': {
      kind: 'string',
      default: 're-evaluated',
      description: "The quality gate's baseline-source output: re-evaluated, recorded or none.",
    },
    'model-name': {
      kind: 'string',
      default: 'water-meter',
      description: 'Registered model name, shown in the heading.',
    },
    'promoted-version': {
      kind: 'string',
      default: '',
      description: "promote's version output, when the candidate was promoted.",
    },
    'auto-merge': {
      kind: 'boolean',
      default: true,
      description: 'Whether the auto-merge step follows (the comment says what happens next).',
    },
    'champion-scores': {
      kind: 'string',
      default: '',
      description:
        'Optional JSON { perImage: [{ id, dice, iou }] } of the champion on the same pairs: lists the photos where the models differ most.',
    },
    'pr-number': {
      kind: 'string',
      default: '',
      description: "The data pull request (open-data-pr's pr-number). Empty: the pull_request event's number.",
    },
    'head-sha': {
      kind: 'string',
      default: '',
      description: "The SHA that was trained. Empty: the pull request event's head, else GITHUB_SHA.",
    },
    'github-token': {
      kind: 'string',
      secret: true,
      default: '${{ github.token }}',
      description: 'Token for the comment (pull-requests: write). Empty: dry run that prints the calls.',
    },
    'branch-prefix': {
      kind: 'string',
      default: 'data/',
      description: 'Data branch prefix, named in the fork refusal.',
    },
    repository: { kind: 'string', default: '', description: 'OWNER/REPO. Empty: GITHUB_REPOSITORY.' },
  },
  outputs: {
    'comment-id': {
      description: "The sticky training-results comment ('' in a dry run or when a read-only token could not post).",
    },
    'comment-url': { description: "The comment's web page." },
    'pr-number': { description: 'The pull request number.' },
  },
});
