import { defineAction } from '@wms/core';
import { REGISTRY_INPUTS } from '@wms/pipeline/registry-options';

export const spec = defineAction({
  name: 'quality-gate',
  inputs: {
    'model-dir': {
      kind: 'string',
      required: true,
      description: 'The candidate model directory from the train stage (model.json, weights.bin, metrics.json).',
    },
    'dataset-dir': {
      kind: 'string',
      required: true,
      description: "Dataset root; the candidate's validation + test pairs are read from it.",
    },
    ...REGISTRY_INPUTS,
    config: {
      kind: 'string',
      default: '',
      description:
        "Training config whose baseline.min_dice / min_iou are absolute floors every candidate must reach. Empty: the workspace's WMS/configs/train.yaml, if any.",
    },
    backend: {
      kind: 'string',
      default: 'auto',
      choices: ['auto', 'tensorflow', 'wasm', 'cpu'],
      description: 'TF.js backend for scoring both models: auto tries tfjs-node, then wasm, then cpu.',
    },
    'min-dice-delta': { kind: 'number', default: 0, min: 0, max: 1, description: 'Smallest Dice gain that counts.' },
    'min-iou-delta': { kind: 'number', default: 0, min: 0, max: 1, description: 'Smallest IoU gain that counts.' },
    'require-significance': {
      kind: 'boolean',
      default: false,
      description: 'Also require a paired bootstrap over per-image Dice to show the gain is not noise.',
    },
    confidence: {
      kind: 'number',
      default: 0.95,
      min: 0.5,
      max: 0.999,
      description: 'Confidence level of the bootstrap.',
    },
    'bootstrap-seed': {
      kind: 'number',
      default: 42,
      integer: true,
      min: 0,
      description: 'Seed of the bootstrap resampling.',
    },
    'output-dir': {
      kind: 'string',
      default: 'wms-gate-output',
      description:
        'Where gate-result.json is written: the verdict and per-photo Dice/IoU of candidate and champion on the same pairs.',
    },
    'fail-on-regression': {
      kind: 'boolean',
      default: true,
      description: 'Fail the job when the candidate is not better.',
    },
  },
  outputs: {
    improved: { description: "'true' when the candidate beats the champion (both Dice and IoU)." },
    'baseline-dice': { description: 'Champion Dice on the same pairs (0 when there is no champion).' },
    'baseline-iou': { description: 'Champion IoU on the same pairs (0 when there is no champion).' },
    'candidate-dice': { description: 'Candidate mean Dice on its validation + test pairs.' },
    'candidate-iou': { description: 'Candidate mean IoU on its validation + test pairs.' },
    reason: { description: 'One sentence explaining the verdict.' },
    'champion-version': {
      description: "The champion version compared against, or 'none'; pass it to promote's expected-champion.",
    },
    'baseline-source': { description: "'re-evaluated', 'recorded' (champion could not be loaded) or 'none'." },
    'scores-path': {
      description:
        "Path of gate-result.json (per-photo scores of both models; its top-level perImage is the champion's): pass it to report-results' champion-scores.",
    },
  },
});
