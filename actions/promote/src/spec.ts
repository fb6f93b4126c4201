import { defineAction } from '@wms/core';
import { REGISTRY_INPUTS } from '@wms/pipeline/registry-options';

export const spec = defineAction({
  name: 'promote',
  inputs: {
    'model-dir': {
      kind: 'string',
      required: true,
      description: 'The candidate model directory that passed the quality gate.',
    },
    'expected-champion': {
      kind: 'string',
      required: true,
      description:
        "The quality gate's champion-version output ('none' for no champion). Promotion is refused if the champion changed since.",
    },
    'candidate-dice': {
      kind: 'number',
      required: true,
      min: 0,
      max: 1,
      description: "The gate's candidate-dice output.",
    },
    'candidate-iou': {
      kind: 'number',
      required: true,
      min: 0,
      max: 1,
      description: "The gate's candidate-iou output.",
    },
    'baseline-dice': {
      kind: 'number',
      required: true,
      min: 0,
      max: 1,
      description: "The gate's baseline-dice output.",
    },
    'baseline-iou': { kind: 'number', required: true, min: 0, max: 1, description: "The gate's baseline-iou output." },
    ...REGISTRY_INPUTS,
    'run-id': {
      kind: 'string',
      default: '',
      description:
        "Tracking run that trained the candidate; empty: the run id in the candidate's metrics.json, if any.",
    },
    reason: {
      kind: 'string',
      default: '',
      description: "Why it is promoted (the gate's reason output); recorded as a tag.",
    },
    'pr-number': {
      kind: 'number',
      integer: true,
      min: 1,
      description: 'Pull request number to record; default: taken from GITHUB_REF (refs/pull/<n>/merge).',
    },
    'metadata-dir': {
      kind: 'string',
      default: 'models',
      description:
        'Folder (relative to the workspace) for model-metadata.json and the append-only model-history.jsonl.',
    },
  },
  outputs: {
    version: { description: 'The registry version that is now the champion.' },
    'previous-version': { description: "The archived previous champion, or 'none'." },
    'metadata-path': { description: 'Path of the updated model-metadata.json.' },
    'history-path': { description: 'Path of model-history.jsonl.' },
  },
});
