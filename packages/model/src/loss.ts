/**
 * BCE + soft Dice. BCE weights foreground pixels by `pos_weight` because the water-meter window
 * is ~2% of a photo; soft Dice is computed per image (then averaged) so one large mask cannot
 * hide a missed small one.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from './config';
import { numericPosWeight } from './derived-config';

const EPSILON = 1e-6;

export function segmentationLoss(
  predicted: tf.Tensor4D,
  truth: tf.Tensor4D,
  cfg: TrainConfig['training']['loss'],
): tf.Scalar {
  return tf.tidy(() => {
    const p = predicted.clipByValue(EPSILON, 1 - EPSILON);
    const positive = truth.mul(p.log()).mul(numericPosWeight(cfg.pos_weight));
    const negative = tf.scalar(1).sub(truth).mul(tf.scalar(1).sub(p).log());
    const bce = positive.add(negative).mean().neg();
    const intersection = predicted.mul(truth).sum([1, 2, 3]);
    const total = predicted.sum([1, 2, 3]).add(truth.sum([1, 2, 3]));
    const dice = intersection.mul(2).add(1).div(total.add(1));
    const diceLoss = tf.scalar(1).sub(dice.mean());
    return bce.mul(cfg.bce_weight).add(diceLoss.mul(cfg.dice_weight)) as tf.Scalar;
  });
}

/** Coupled L2 (what PyTorch's Adam `weight_decay` does): adds wd/2·‖w‖² over conv kernels. */
export function weightDecayPenalty(kernels: readonly tf.Variable[], weightDecay: number): tf.Scalar {
  return tf.tidy(() => {
    if (weightDecay === 0 || kernels.length === 0) return tf.scalar(0);
    const sums = kernels.map((k) => k.square().sum());
    return tf.addN(sums).mul(weightDecay / 2) as tf.Scalar;
  });
}
