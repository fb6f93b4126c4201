import * as tf from '@tensorflow/tfjs';
import {
  callWasmKernel,
  conv2dExplicitPad,
  release,
  reshapeInfo,
  type WasmBackendLike,
  type WasmHeapBackend,
} from './call-kernel';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

/**
 * Conv2DBackpropInput for the wasm backend (also the forward pass of conv2dTranspose). wasm's own
 * kernel is a naive loop (~1.9 GFLOP/s); the same gradient is a forward XNNPACK Conv2D (~22) of dy
 * — zero-dilated by the stride — with the filter flipped in space and its in/out channels swapped.
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
    if (isPixelShuffle(info)) return transposedConvAsMatMul(dy, filter, backend);
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
    const dx = conv2dExplicitPad(dilated, swapped, [padTop, padBottom, padLeft, padRight], [1, 1], backend);
    release(backend, swapped);
    if (dilated.dataId !== dy.dataId) release(backend, dilated);
    return dx;
  };
}

/**
 * Filter as large as the stride, no padding, no remainder (conv2dTranspose with kernel 2, stride
 * 2, as in U-Nets): every output pixel gets exactly one tap, so the zero-dilated conv would waste
 * 3/4 of its work. Here it is one matMul of dy with the filter and a depth-to-space copy.
 */
function isPixelShuffle(info: tf.backend_util.Conv2DInfo): boolean {
  return (
    info.filterHeight === info.strideHeight &&
    info.filterWidth === info.strideWidth &&
    info.filterHeight === info.filterWidth &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0 &&
    info.inHeight === info.outHeight * info.strideHeight &&
    info.inWidth === info.outWidth * info.strideWidth
  );
}

/** dx[n, oh·k+kh, ow·k+kw, ci] = Σ_co dy[n,oh,ow,co]·W[kh,kw,ci,co]. */
function transposedConvAsMatMul(dy: tf.TensorInfo, filter: tf.TensorInfo, backend: WasmBackendLike): tf.TensorInfo {
  const [n, oh, ow, cout] = dy.shape as [number, number, number, number];
  const [k, , cin] = filter.shape as [number, number, number, number];
  // [K,K,Cin,Cout] → [Cout, K·K·Cin]: the right operand untransposed (wasm's transposed matMul is slow).
  const filterT = callWasmKernel('Transpose', { x: filter }, { perm: [3, 0, 1, 2] }, backend);
  const product = callWasmKernel(
    'BatchMatMul',
    { a: reshapeInfo(dy, [1, n * oh * ow, cout]), b: reshapeInfo(filterT, [1, cout, k * k * cin]) },
    { transposeA: false, transposeB: false },
    backend,
  );
  release(backend, filterT);
  const dx = depthToSpace(product, [n, oh, ow, k, cin], backend as WasmHeapBackend);
  release(backend, product);
  return dx;
}

/**
 * [N,OH,OW,(K,K,C)] → [N,OH·K,OW·K,C]. Each run of K·C values is contiguous on both sides, so
 * this is block copies; wasm's DepthToSpace (per element) cost 88 ms per U-Net step for the same.
 */
function depthToSpace(
  product: tf.TensorInfo,
  [n, oh, ow, k, c]: [number, number, number, number, number],
  backend: WasmHeapBackend,
): tf.TensorInfo {
  const out = backend.makeOutput([n, oh * k, ow * k, c], 'float32');
  // Views after allocating: a heap growth would detach earlier ones.
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(product);
  const run = k * c;
  let from = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        for (let kh = 0; kh < k; kh++) {
          const to = (((b * oh + y) * k + kh) * ow + x) * run;
          dst.set(src.subarray(from, from + run), to);
          from += run;
        }
      }
    }
  }
  return out;
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
