import * as tf from '@tensorflow/tfjs';
import { resizeNearestNeighborGradCpu } from './resize-nearest-neighbor-grad';

let cpuFixed = false;

/** Replaces tfjs-backend-cpu's ResizeNearestNeighborGrad, wrong for batch > 1 in 4.22. Idempotent. */
export function registerCpuKernelFixes(): void {
  if (cpuFixed) return;
  if (tf.getKernel('ResizeNearestNeighborGrad', 'cpu')) tf.unregisterKernel('ResizeNearestNeighborGrad', 'cpu');
  tf.registerKernel({
    kernelName: 'ResizeNearestNeighborGrad',
    backendName: 'cpu',
    kernelFunc: resizeNearestNeighborGradCpu as unknown as tf.KernelFunc,
  });
  cpuFixed = true;
}
