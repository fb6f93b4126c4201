import * as tf from '@tensorflow/tfjs';
import type { WasmHeapBackend } from './call-kernel';

/** Kernel name of the per-channel sums below; wasm only (other backends use plain ops). */
export const BATCH_NORM_GRAD_SUMS = 'WmsBatchNormGradSums';

/**
 * [Σ dy, Σ dy·(x−mean)] per channel over every other axis, in one pass over dy and x. tfjs's
 * FusedBatchNorm gradient spends ~9 full-tensor element-wise passes and 4 reductions (each a
 * transpose plus a reduce on wasm) to get the same two vectors; a JS loop over the heap is one pass.
 */
export function batchNormGradSumsWasm(args: { inputs: tf.NamedTensorInfoMap; backend: object }): tf.TensorInfo {
  const backend = args.backend as WasmHeapBackend;
  const { dy, x, mean } = args.inputs as { dy: tf.TensorInfo; x: tf.TensorInfo; mean: tf.TensorInfo };
  const channels = mean.shape[0]!;
  const out = backend.makeOutput([2, channels], 'float32');
  // Views after allocating: a heap growth would detach earlier ones.
  const sums = backend.typedArrayFromHeap(out) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  const v = backend.typedArrayFromHeap(x) as Float32Array;
  const m = backend.typedArrayFromHeap(mean) as Float32Array;
  const sumDy = new Float64Array(channels);
  const sumDyX = new Float64Array(channels);
  for (let i = 0; i < g.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const d = g[i + c]!;
      sumDy[c]! += d;
      sumDyX[c]! += d * (v[i + c]! - m[c]!);
    }
  }
  sums.set(sumDy, 0);
  sums.set(sumDyX, channels);
  return out;
}

function gradientSums(dy: tf.Tensor, x: tf.Tensor, mean: tf.Tensor): [tf.Tensor1D, tf.Tensor1D] {
  const channels = mean.shape[0]!;
  if (tf.getBackend() === 'wasm') {
    const sums = tf.engine().runKernel(BATCH_NORM_GRAD_SUMS, { dy, x, mean }, {}) as tf.Tensor2D;
    const [a, b] = tf.split(sums, 2, 0);
    return [tf.reshape(a!, [channels]), tf.reshape(b!, [channels])];
  }
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  return [tf.sum(dy, axes), tf.sum(tf.mul(dy, tf.sub(x, mean)), axes)];
}

/**
 * FusedBatchNorm's gradient for the per-channel case every conv net uses (mean of rank 1,
 * channels last), written from the two per-channel sums:
 *   dx = dy·γ·r,  dOffset = Σdy,  dScale = r·Σdy(x−μ),  dMean = −γ·r·Σdy,  dVar = −½γr³·Σdy(x−μ)
 * with r = 1/√(var+ε). Other cases keep tfjs's own gradient.
 */
export function createBatchNormGradient(original: tf.GradConfig): tf.GradConfig {
  return {
    kernelName: 'FusedBatchNorm',
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy, saved, attrs) => {
      const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
      const grad = dy as tf.Tensor;
      if (mean.rank !== 1 || x.rank < 2 || x.shape[x.rank - 1] !== mean.shape[0]) {
        return original.gradFunc(dy, saved, attrs);
      }
      const epsilon = (attrs as unknown as tf.FusedBatchNormAttrs).varianceEpsilon;
      const gamma = scale ?? tf.onesLike(mean);
      const r = tf.rsqrt(tf.add(variance, epsilon));
      const gammaR = tf.mul(gamma, r);
      // Eager, not inside the per-input closures: the tape runs each closure in its own tidy,
      // which would dispose a cached value before the next closure used it.
      const [sumDy, sumDyCentered] = gradientSums(grad, x, mean);
      return {
        x: () => tf.mul(grad, gammaR),
        offset: () => tf.clone(sumDy),
        scale: () => tf.mul(r, sumDyCentered),
        mean: () => tf.neg(tf.mul(gammaR, sumDy)),
        variance: () => tf.mul(tf.mul(tf.mul(gammaR, tf.square(r)), -0.5), sumDyCentered),
      };
    },
  };
}
