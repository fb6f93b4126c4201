import * as tf from '@tensorflow/tfjs';

/** The part of tfjs-backend-cpu's MathBackendCPU this kernel uses. */
interface CpuBackendLike {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/**
 * ResizeNearestNeighborGrad (the gradient of upSampling2d) for the cpu backend.
 * tfjs-backend-cpu 4.22's kernel is wrong for batch > 1 (found by the U-Net gradient test:
 * wasm and a hand-written adjoint agree, cpu does not), so the cpu fallback would train
 * upSampling2d U-Nets on wrong gradients. This is the exact adjoint of the forward kernel:
 * each dy pixel is added to the source pixel the forward pass copied it from.
 */
export function resizeNearestNeighborGradCpu(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as CpuBackendLike;
  const images = args.inputs.images as tf.TensorInfo;
  const dy = args.inputs.dy as tf.TensorInfo;
  const { alignCorners, halfPixelCenters } = args.attrs as unknown as tf.ResizeNearestNeighborGradAttrs;
  const [batch, inHeight, inWidth, channels] = images.shape as [number, number, number, number];
  const [, outHeight, outWidth] = dy.shape as [number, number, number, number];
  const rows = sourceIndices(inHeight, outHeight, alignCorners, halfPixelCenters);
  const cols = sourceIndices(inWidth, outWidth, alignCorners, halfPixelCenters);

  const grad = backend.data.get(dy.dataId).values as Float32Array;
  const dx = new Float32Array(images.shape.reduce((a, b) => a * b, 1));
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < outHeight; y++) {
      const dxRow = (b * inHeight + rows[y]!) * inWidth;
      const dyRow = (b * outHeight + y) * outWidth;
      for (let x = 0; x < outWidth; x++) {
        const dxBase = (dxRow + cols[x]!) * channels;
        const dyBase = (dyRow + x) * channels;
        for (let c = 0; c < channels; c++) dx[dxBase + c]! += grad[dyBase + c]!;
      }
    }
  }
  return backend.makeTensorInfo(images.shape, 'float32', dx);
}

/** Source index of each output position, exactly as tfjs's forward resizeNearestNeighbor computes it. */
function sourceIndices(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): Int32Array {
  const effectiveIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effectiveOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  const scale = effectiveIn / effectiveOut;
  const indices = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const fraction = halfPixelCenters ? scale * (i + 0.5) : scale * i;
    let nearest = Math.min(inSize - 1, alignCorners ? Math.round(fraction) : Math.floor(fraction));
    if (halfPixelCenters) nearest = Math.max(0, nearest);
    indices[i] = nearest;
  }
  return indices;
}

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
