import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterWasm } from './conv2d-backprop-filter';
import { createConv2dBackpropInputWasm } from './conv2d-backprop-input';
import { createTileWasm } from './tile';

/** Kernels this project supplies or replaces on the wasm backend, by name. */
export const SUPPLIED_WASM_KERNELS = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Tile'] as const;

let registered = false;

/**
 * Makes the wasm backend able to train a U-Net fast: adds the missing filter gradient and replaces
 * the naive input gradient (also conv2dTranspose's forward pass) with XNNPACK-based versions.
 * Idempotent; call before the first training step (selectBackend does it for 'wasm').
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  const original = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (original) tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    kernelFunc: createConv2dBackpropInputWasm(original?.kernelFunc) as unknown as tf.KernelFunc,
  });
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: conv2dBackpropFilterWasm as unknown as tf.KernelFunc,
  });
  const originalTile = tf.getKernel('Tile', 'wasm');
  if (originalTile) tf.unregisterKernel('Tile', 'wasm');
  tf.registerKernel({
    kernelName: 'Tile',
    backendName: 'wasm',
    kernelFunc: createTileWasm(originalTile?.kernelFunc) as unknown as tf.KernelFunc,
  });
  registered = true;
}
