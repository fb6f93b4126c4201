import * as tf from '@tensorflow/tfjs';
import { callWasmKernel, release, reshapeInfo, type WasmBackendLike, type WasmHeapBackend } from './call-kernel';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

/**
 * Conv2DBackpropInput for the wasm backend (also the forward pass of conv2dTranspose). wasm's own
 * kernel is a naive loop (~1.9 GFLOP/s); the same gradient is a forward XNNPACK Conv2D (~22) of dy
 * — zero-dilated by the stride — with the filter flipped in space and its in/out channels swapped (one JS pass: filters are small).
 * Paddings this formulation cannot express fall back to wasm's own kernel.
 */
export function createConv2dBackpropInputWasm(fallback: tf.KernelFunc | undefined) {
  return function conv2dBackpropInputWasm(args: KernelArgs): tf.TensorInfo {
    const backend = args.backend as WasmBackendLike;
    const dy = args.inputs.dy as tf.TensorInfo;
    const filter = args.inputs.filter as tf.TensorInfo;
    const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropInputAttrs;
    const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
    if (dataFormat !== 'channelsLast') {
      throw new Error(`Conv2DBackpropInput on wasm supports dataFormat 'NHWC' only, got '${attrs.dataFormat}'`);
    }
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape,
      filter.shape as [number, number, number, number],
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const { strideHeight, strideWidth, filterHeight, filterWidth, inHeight, inWidth } = info;
    const padTop = filterHeight - 1 - info.padInfo.top;
    const padLeft = filterWidth - 1 - info.padInfo.left;
    if (padTop < 0 || padLeft < 0) {
      if (!fallback) throw new Error('Conv2DBackpropInput on wasm: padding larger than the filter is not supported');
      return fallback(args) as tf.TensorInfo;
    }

    let dilated = dilateByStride(dy, strideHeight, strideWidth, backend);
    const [batch, dilatedHeight, dilatedWidth, outChannels] = dilated.shape as [number, number, number, number];
    let padBottom = inHeight + filterHeight - 1 - dilatedHeight - padTop;
    let padRight = inWidth + filterWidth - 1 - dilatedWidth - padLeft;
    if (padBottom < 0 || padRight < 0) {
      // Only the trailing zeros of the dilation (or rows the forward conv never produced) go.
      const size = [batch, dilatedHeight + Math.min(0, padBottom), dilatedWidth + Math.min(0, padRight), outChannels];
      const cropped = callWasmKernel('Slice', { x: dilated }, { begin: [0, 0, 0, 0], size }, backend);
      if (dilated.dataId !== dy.dataId) release(backend, dilated);
      dilated = cropped;
      padBottom = Math.max(0, padBottom);
      padRight = Math.max(0, padRight);
    }

    const swapped = flipAndSwapFilter(filter, backend as WasmHeapBackend);
    const dx = callWasmKernel(
      'Conv2D',
      { x: dilated, filter: swapped },
      {
        strides: [1, 1],
        dilations: [1, 1],
        pad: [
          [0, 0],
          [padTop, padBottom],
          [padLeft, padRight],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      } as unknown as tf.NamedAttrMap,
      backend,
    );
    release(backend, swapped);
    if (dilated.dataId !== dy.dataId) release(backend, dilated);
    return dx;
  };
}

/**
 * [FH,FW,Cin,Cout] → [FH,FW,Cout,Cin] flipped in space, in one JS pass: filters are small, and
 * wasm's Reverse + Transpose for it cost ~15 ms per U-Net step against <2 ms for this loop.
 */
function flipAndSwapFilter(filter: tf.TensorInfo, backend: WasmHeapBackend): tf.TensorInfo {
  const [fh, fw, cin, cout] = filter.shape as [number, number, number, number];
  const out = backend.makeOutput([fh, fw, cout, cin], 'float32');
  // Views after allocating: a heap growth would detach earlier ones.
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(filter);
  for (let h = 0; h < fh; h++) {
    for (let w = 0; w < fw; w++) {
      const srcTap = ((fh - 1 - h) * fw + (fw - 1 - w)) * cin * cout;
      const dstTap = (h * fw + w) * cout * cin;
      for (let i = 0; i < cin; i++) {
        for (let o = 0; o < cout; o++) dst[dstTap + o * cin + i] = src[srcTap + i * cout + o]!;
      }
    }
  }
  return out;
}

/** Inserts stride−1 zeros after every row/column of dy: [N,OH,OW,C] → [N,OH·sh,OW·sw,C]. */
function dilateByStride(dy: tf.TensorInfo, sh: number, sw: number, backend: WasmBackendLike): tf.TensorInfo {
  if (sh === 1 && sw === 1) return dy;
  const [n, oh, ow, c] = dy.shape as [number, number, number, number];
  const spread = reshapeInfo(dy, [n, oh, 1, ow, 1, c]);
  const padded = callWasmKernel(
    'PadV2',
    { x: spread },
    {
      paddings: [
        [0, 0],
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ],
      constantValue: 0,
    } as unknown as tf.NamedAttrMap,
    backend,
  );
  return reshapeInfo(padded, [n, oh * sh, ow * sw, c]);
}
