import * as tf from '@tensorflow/tfjs';
import type { WasmHeapBackend } from './call-kernel';

/**
 * Tile for the wasm backend. Batch-norm's gradient tiles per-channel vectors [1,1,1,C] up to the
 * activation shape on every step, and wasm's generic Tile (an index computation per element) was
 * the most expensive kernel of a U-Net step (~160 ms of ~720 at 64×64). Tiling is copying, so
 * this copies the input block once and replicates it with doubling `copyWithin` (memcpy speed).
 */
export function createTileWasm(fallback: tf.KernelFunc | undefined) {
  return function tileWasm(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }) {
    const x = args.inputs.x as tf.TensorInfo;
    const reps = (args.attrs as unknown as tf.TileAttrs).reps;
    if (x.dtype === 'string' || reps.length !== x.shape.length) {
      if (!fallback) throw new Error(`Tile on wasm: unsupported input (dtype ${x.dtype}, reps ${reps.join(',')})`);
      return fallback(args) as tf.TensorInfo;
    }
    const backend = args.backend as WasmHeapBackend;
    const outShape = x.shape.map((size, i) => size * (reps[i] ?? 1));
    // Allocate first: growing the wasm heap detaches every view taken before.
    const out = backend.makeOutput(outShape, x.dtype);
    const dst = backend.typedArrayFromHeap(out);
    const src = backend.typedArrayFromHeap(x);
    if (dst.length > 0) tileInto(src, x.shape, reps, dst);
    return out;
  };
}

/** Row-major tile of `src` (shape `shape`) into `dst`; exported for the unit test. */
export function tileInto(src: tf.TypedArray, shape: number[], reps: number[], dst: tf.TypedArray): void {
  const rank = shape.length;
  if (rank === 0) {
    dst[0] = src[0] ?? 0;
    return;
  }
  const srcInner = new Array<number>(rank).fill(1);
  const dstInner = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) {
    srcInner[d] = srcInner[d + 1]! * shape[d + 1]!;
    dstInner[d] = dstInner[d + 1]! * shape[d + 1]! * reps[d + 1]!;
  }
  const tileDim = (d: number, srcOffset: number, dstOffset: number): void => {
    const size = shape[d]!;
    if (d === rank - 1) {
      dst.set(src.subarray(srcOffset, srcOffset + size), dstOffset);
    } else {
      for (let i = 0; i < size; i++) tileDim(d + 1, srcOffset + i * srcInner[d]!, dstOffset + i * dstInner[d]!);
    }
    replicate(dst, dstOffset, size * dstInner[d]!, reps[d]!);
  };
  tileDim(0, 0, 0);
}

function replicate(array: tf.TypedArray, start: number, blockLength: number, times: number): void {
  const total = blockLength * times;
  let filled = blockLength;
  while (filled < total) {
    const count = Math.min(filled, total - filled);
    array.copyWithin(start + filled, start, start + count);
    filled += count;
  }
}
