/**
 * The training loss as a module the data-parallel workers can `require` (they only receive a
 * module path): the same `segmentationLoss` as the single-process loop, with the loss weights
 * handed over as the loss reference's `options` (one trainer's settings, not a process-wide one).
 */
import type * as tf from '@tensorflow/tfjs';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from './config';
import { segmentationLoss } from './loss';

export function replicaSegmentationLoss(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  loss: TrainConfig['training']['loss'] = DEFAULT_TRAIN_CONFIG.training.loss,
): tf.Scalar {
  return segmentationLoss(yPred as tf.Tensor4D, yTrue as tf.Tensor4D, loss);
}
