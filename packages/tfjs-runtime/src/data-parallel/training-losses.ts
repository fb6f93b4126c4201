import * as tf from '@tensorflow/tfjs';
import type { BuiltinLossName, LossModuleRef } from './protocol';

export type TrainingLoss = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

const EPSILON = 1e-6;

/** Mean binary cross-entropy on probabilities (the U-Net ends in a sigmoid). */
function binaryCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.clipByValue(yPred, EPSILON, 1 - EPSILON);
    const perPixel = tf.add(tf.mul(yTrue, tf.log(p)), tf.mul(tf.sub(1, yTrue), tf.log(tf.sub(1, p))));
    return tf.neg(tf.mean(perPixel)) as tf.Scalar;
  });
}

function meanSquaredError(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(yTrue, yPred)) as tf.Scalar);
}

const BUILTIN_LOSSES: Record<BuiltinLossName, TrainingLoss> = { binaryCrossentropy, meanSquaredError };

export function resolveTrainingLoss(loss: BuiltinLossName | LossModuleRef): TrainingLoss {
  if (typeof loss === 'string') {
    const fn = BUILTIN_LOSSES[loss];
    if (!fn) throw new Error(`unknown loss '${loss}'; expected ${Object.keys(BUILTIN_LOSSES).join(', ')} or a module`);
    return fn;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loss code chosen at run time
  const loaded = require(loss.modulePath) as Record<string, unknown>;
  const fn = loaded[loss.exportName];
  if (typeof fn !== 'function') {
    throw new Error(`loss module ${loss.modulePath} has no function export '${loss.exportName}'`);
  }
  const withOptions = fn as (yTrue: tf.Tensor, yPred: tf.Tensor, options?: unknown) => tf.Scalar;
  const { options } = loss;
  return options === undefined ? (withOptions as TrainingLoss) : (yTrue, yPred) => withOptions(yTrue, yPred, options);
}
