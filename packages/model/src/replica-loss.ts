/**
 * The training loss as a module the data-parallel workers can `require` (they only receive a
 * module path): the same `segmentationLoss` as the single-process loop, with the loss weights
 * handed over in an environment variable, which worker threads inherit from the main thread.
 */
import type * as tf from '@tensorflow/tfjs';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from './config';
import { segmentationLoss } from './loss';

export const LOSS_CONFIG_ENV = 'WMS_TRAIN_LOSS_CONFIG';

function lossConfig(): TrainConfig['training']['loss'] {
  const raw = process.env[LOSS_CONFIG_ENV];
  return raw ? (JSON.parse(raw) as TrainConfig['training']['loss']) : DEFAULT_TRAIN_CONFIG.training.loss;
}

let cached: TrainConfig['training']['loss'] | undefined;

export function replicaSegmentationLoss(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  cached ??= lossConfig();
  return segmentationLoss(yPred as tf.Tensor4D, yTrue as tf.Tensor4D, cached);
}
