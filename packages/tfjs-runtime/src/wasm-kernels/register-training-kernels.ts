import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_GRAD_SUMS, batchNormGradSumsWasm, createBatchNormGradient } from './batch-norm-gradient';
import { identityWasm } from './call-kernel';
import { conv2dBackpropFilterWasm } from './conv2d-backprop-filter';
import { createConv2dBackpropInputWasm } from './conv2d-backprop-input';
import { maxPoolGradWasm } from './max-pool-grad';
import { createTileWasm } from './tile';

type AnyKernel = (args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }) => tf.TensorInfo;

/**
 * Kernels this project supplies or replaces on the wasm backend, found by running U-Net training
 * steps on wasm and fixing each failure, wrong result and hot spot:
 * - Conv2DBackpropFilter: missing (no conv layer could train);
 * - Conv2DBackpropInput: a naive loop (~1.9 GFLOP/s), also conv2dTranspose's forward pass;
 * - Tile: batch-norm's gradient tiles per-channel vectors every step; generic kernel was the top cost;
 * - WmsBatchNormGradSums: new, the two per-channel sums of the batch-norm gradient in one pass
 *   (used by the FusedBatchNorm gradient registered below instead of ~13 full-tensor passes);
 * - Identity: shares data instead of copying (tfjs clones every tensor saved for backprop);
 * - MaxPoolGrad: wasm's runs at ~19 ns per element; a channel-contiguous JS loop is several times faster.
 */
const KERNELS: Record<string, (original: tf.KernelFunc | undefined) => AnyKernel> = {
  Conv2DBackpropFilter: () => conv2dBackpropFilterWasm,
  Conv2DBackpropInput: (original) => createConv2dBackpropInputWasm(original),
  Tile: (original) => createTileWasm(original),
  [BATCH_NORM_GRAD_SUMS]: () => batchNormGradSumsWasm,
  Identity: () => identityWasm,
  MaxPoolGrad: () => maxPoolGradWasm,
};

export const SUPPLIED_WASM_KERNELS = Object.keys(KERNELS);

let registered = false;

/**
 * Registers the kernels above for 'wasm'. Call after the wasm backend initialised (wasm's own
 * kernels run their setup then, and the replaced ones stay usable as fallbacks). Idempotent;
 * selectBackend('wasm') calls it.
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  for (const [kernelName, create] of Object.entries(KERNELS)) {
    const original = tf.getKernel(kernelName, 'wasm');
    if (original) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: create(original?.kernelFunc) as unknown as tf.KernelFunc,
    });
  }
  const batchNormGradient = tf.getGradient('FusedBatchNorm');
  // Global, but the same mathematics on every backend (plain ops where the wasm kernel is absent).
  if (batchNormGradient) tf.registerGradient(createBatchNormGradient(batchNormGradient));
  registered = true;
}
