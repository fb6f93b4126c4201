import * as tf from '@tensorflow/tfjs';
import { callWasmKernel, conv2dExplicitPad, release, type WasmBackendLike } from './call-kernel';

/**
 * Conv2DBackpropFilter for the wasm backend, which ships none (so no conv layer can train there).
 *
 * dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s+kh−pad, ow·s+kw−pad, ci] · dy[n,oh,ow,co] is itself a
 * 'valid' forward convolution once the batch plays the role of the channels: input x transposed to
 * [Cin,H,W,N], filter dy transposed to [OH,OW,N,Cout], the forward stride becoming the dilation.
 * That runs in XNNPACK's Conv2D (~9.7 GFLOP/s measured on one core) where im2col + matMul with a
 * transposed operand reaches ~1.2.
 */
export function conv2dBackpropFilterWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const x = args.inputs.x as tf.TensorInfo;
  const dy = args.inputs.dy as tf.TensorInfo;
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropFilterAttrs;
  const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  if (dataFormat !== 'channelsLast') {
    throw new Error(`Conv2DBackpropFilter on wasm supports dataFormat 'NHWC' only, got '${attrs.dataFormat}'`);
  }
  const filterShape = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const [batch, inHeight, inWidth, inChannels] = x.shape as [number, number, number, number];
  const { outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  // Rows/cols past these were never read by the forward conv ('valid' remainders): cut them.
  let padBottom = filterHeight + (outHeight - 1) * strideHeight - inHeight - padTop;
  let padRight = filterWidth + (outWidth - 1) * strideWidth - inWidth - padLeft;

  let xT = callWasmKernel('Transpose', { x }, { perm: [3, 1, 2, 0] }, backend);
  if (padBottom < 0 || padRight < 0) {
    const cropped = callWasmKernel(
      'Slice',
      { x: xT },
      {
        begin: [0, 0, 0, 0],
        size: [inChannels, inHeight + Math.min(0, padBottom), inWidth + Math.min(0, padRight), batch],
      },
      backend,
    );
    release(backend, xT);
    xT = cropped;
    padBottom = Math.max(0, padBottom);
    padRight = Math.max(0, padRight);
  }
  const dyT = callWasmKernel('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }, backend);
  const gradCiFirst = conv2dExplicitPad(
    xT,
    dyT,
    [padTop, padBottom, padLeft, padRight],
    [strideHeight, strideWidth],
    backend,
  );
  release(backend, xT, dyT);
  const grad = callWasmKernel('Transpose', { x: gradCiFirst }, { perm: [1, 2, 0, 3] }, backend);
  release(backend, gradCiFirst);
  return grad;
}
