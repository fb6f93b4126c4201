import { defineAction } from '@wms/core';

export const spec = defineAction({
  name: 'train',
  inputs: {
    'data-dir': {
      kind: 'string',
      required: true,
      description: 'Dataset root with images/ and masks/ (same file name per pair).',
    },
    config: {
      kind: 'string',
      default: '',
      description:
        'Training config YAML. Empty: WMS/configs/train.yaml in the workspace if it exists, else the embedded defaults.',
    },
    'output-dir': {
      kind: 'string',
      default: 'wms-train-output',
      description: 'Where the model is written (<output-dir>/model: model.json, weights.bin, metrics.json).',
    },
    'tracking-uri': {
      kind: 'string',
      default: '',
      description:
        "MLflow server URL (http/https). Empty: $MLFLOW_TRACKING_URI; on a runner without either the step fails (a registry in the workspace would be lost). 'local' asks for the local store in .wms/registry, which on a runner lasts only for the job.",
    },
    experiment: {
      kind: 'string',
      default: 'water-meter-segmentation',
      description: 'Experiment the training run is logged under.',
    },
    backend: {
      kind: 'string',
      default: 'auto',
      choices: ['auto', 'tensorflow', 'wasm', 'cpu'],
      description: 'TF.js backend: auto tries tfjs-node, then wasm, then the pure-JS cpu backend.',
    },
    'time-budget': {
      kind: 'number',
      min: 1,
      max: 6 * 3600,
      description: "Wall-clock budget of the training loop in seconds. Empty: the config's training.time_budget_sec.",
    },
    seed: {
      kind: 'number',
      integer: true,
      min: 0,
      description: "Seed for initialisation, shuffling and augmentation. Empty: the config's training.seed.",
    },
  },
  outputs: {
    dice: { description: 'Mean Dice of the trained model on its held-out (validation + test) pairs.' },
    iou: { description: 'Mean IoU of the trained model on its held-out (validation + test) pairs.' },
    'model-dir': { description: 'Directory of the saved model (model.json, weights.bin, metrics.json).' },
    'run-id': { description: 'Tracking run id (MLflow or local store).' },
    backend: { description: 'The TF.js backend that trained the model.' },
  },
});
