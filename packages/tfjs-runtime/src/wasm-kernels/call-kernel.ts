import * as tf from '@tensorflow/tfjs';

/** The slice of tfjs-backend-wasm's BackendWasm our kernels touch (it is not exported with types). */
export interface WasmBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

/** What JS-loop kernels need from BackendWasm: output allocation and views of the wasm heap. */
export interface WasmHeapBackend extends WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

/**
 * Runs another kernel of the wasm backend directly, below the engine: no tape, no tensor
 * bookkeeping, so a composite kernel can chain wasm's fast XNNPACK kernels (Conv2D, Transpose,
 * Reverse, PadV2, Slice…) and must release every intermediate itself with `release`.
 */
export function callWasmKernel(
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
  backend: WasmBackendLike,
): tf.TensorInfo {
  const config = tf.getKernel(kernelName, 'wasm');
  if (!config) throw new Error(`wasm backend has no '${kernelName}' kernel to build on`);
  const result = config.kernelFunc({ inputs, attrs, backend: backend as object });
  if (Array.isArray(result)) throw new Error(`wasm kernel '${kernelName}' returned several tensors; expected one`);
  return result;
}

/** Padding of a 2-D convolution as [top, bottom, left, right]. */
export type ExplicitPad = readonly [number, number, number, number];

/**
 * wasm's XNNPACK Conv2D with stride 1 and explicit padding: the one forward convolution both
 * gradient kernels reduce to (dilation carries the forward stride for the filter gradient).
 */
export function conv2dExplicitPad(
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  pad: ExplicitPad,
  dilations: readonly [number, number],
  backend: WasmBackendLike,
): tf.TensorInfo {
  const [top, bottom, left, right] = pad;
  const attrs = {
    strides: [1, 1],
    dilations: [...dilations],
    pad: [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ],
    dataFormat: 'NHWC',
  } as unknown as tf.NamedAttrMap;
  return callWasmKernel('Conv2D', { x, filter }, attrs, backend);
}

/** Frees intermediates produced by `callWasmKernel` (never the kernel's own inputs). */
export function release(backend: WasmBackendLike, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** A view of the same data with another shape (what wasm's Reshape kernel does, without a copy). */
export function reshapeInfo(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/**
 * Identity for the wasm backend as the cpu backend does it: share the data and count a reference.
 * wasm's own Identity copies, and tfjs clones every tensor it saves for the backward pass through
 * it (Engine.saveTensorsForBackwardMode): ~150 full-activation copies per U-Net step. Tensor data
 * is never written in place (variables swap their dataId on assign), so sharing is safe.
 */
export function identityWasm(args: { inputs: tf.NamedTensorInfoMap; backend: object }): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  (args.backend as WasmBackendLike).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
