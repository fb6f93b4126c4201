import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterWasm } from '../src/wasm-kernels/conv2d-backprop-filter';
import { tileInto } from '../src/wasm-kernels/tile';
import { relativeError, runOn, seededValues } from '../src/testing';

type Case = {
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  k: number;
  stride: number;
  pad: 'same' | 'valid';
};

// Odd sizes, strides 1 and 2, both paddings, 1×1 to 5×5 filters, non-square images.
const CONV_CASES: Case[] = [
  { n: 2, h: 9, w: 7, cin: 3, cout: 5, k: 3, stride: 1, pad: 'same' },
  { n: 2, h: 9, w: 7, cin: 3, cout: 5, k: 3, stride: 1, pad: 'valid' },
  { n: 3, h: 11, w: 13, cin: 4, cout: 6, k: 3, stride: 2, pad: 'same' },
  { n: 3, h: 11, w: 13, cin: 4, cout: 6, k: 3, stride: 2, pad: 'valid' },
  { n: 1, h: 10, w: 8, cin: 5, cout: 3, k: 2, stride: 2, pad: 'same' },
  { n: 2, h: 12, w: 9, cin: 2, cout: 4, k: 5, stride: 2, pad: 'same' },
  { n: 2, h: 8, w: 8, cin: 7, cout: 2, k: 1, stride: 1, pad: 'valid' },
  { n: 1, h: 15, w: 6, cin: 3, cout: 3, k: 4, stride: 3, pad: 'valid' },
];

const name = (c: Case) => `n${c.n} ${c.h}×${c.w} ${c.cin}→${c.cout} k${c.k} s${c.stride} ${c.pad}`;

/** Gradients of Σ conv2d(x,w)·r w.r.t. x (Conv2DBackpropInput) and w (Conv2DBackpropFilter). */
function convGradients(c: Case): () => tf.Tensor[] {
  const xValues = seededValues(c.n * c.h * c.w * c.cin, 1);
  const wValues = seededValues(c.k * c.k * c.cin * c.cout, 2);
  return () => {
    const x = tf.tensor4d(xValues, [c.n, c.h, c.w, c.cin]);
    const w = tf.tensor4d(wValues, [c.k, c.k, c.cin, c.cout]);
    const outShape = tf.conv2d(x, w, c.stride, c.pad).shape;
    const r = tf.tensor(
      seededValues(
        outShape.reduce((a, b) => a * b, 1),
        3,
      ),
      outShape,
    );
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), r)),
    )([x, w]);
    tf.dispose([x, w, r]);
    return grads;
  };
}

describe('wasm training kernels match the cpu backend', () => {
  it('replaces or supplies each kernel on wasm', async () => {
    await runOn('wasm', () => []);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc).toBe(conv2dBackpropFilterWasm);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc.name).toBe('conv2dBackpropInputWasm');
    expect(tf.getKernel('Tile', 'wasm')?.kernelFunc.name).toBe('tileWasm');
    expect(tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc.name).toBe('maxPoolGradWasm');
  });

  it.each(CONV_CASES.map((c) => [name(c), c] as const))('conv2d gradients, %s', async (_label, c) => {
    const expected = await runOn('cpu', convGradients(c));
    const actual = await runOn('wasm', convGradients(c));
    expect(relativeError(actual[0]!, expected[0]!)).toBeLessThan(1e-5); // dx
    expect(relativeError(actual[1]!, expected[1]!)).toBeLessThan(1e-5); // dw
  });

  it.each([
    ['k2 s2 same (pixel shuffle: matMul + depth-to-space)', 2, 2, 'same'],
    ['k2 s2 valid (pixel shuffle)', 2, 2, 'valid'],
    ['k3 s3 valid (pixel shuffle)', 3, 3, 'valid'],
    ['k3 s2 same', 3, 2, 'same'],
    ['k3 s1 valid', 3, 1, 'valid'],
  ] as const)('conv2dTranspose forward (Conv2DBackpropInput), %s', async (_label, k, stride, pad) => {
    const run = () => {
      const x = tf.tensor4d(seededValues(2 * 5 * 7 * 6, 4), [2, 5, 7, 6]);
      const w = tf.tensor4d(seededValues(k * k * 3 * 6, 5), [k, k, 3, 6]);
      const outH = pad === 'same' ? 5 * stride : (5 - 1) * stride + k;
      const outW = pad === 'same' ? 7 * stride : (7 - 1) * stride + k;
      const y = tf.conv2dTranspose(x, w, [2, outH, outW, 3], stride, pad);
      tf.dispose([x, w]);
      return [y];
    };
    const expected = await runOn('cpu', run);
    const actual = await runOn('wasm', run);
    expect(relativeError(actual[0]!, expected[0]!)).toBeLessThan(1e-5);
  });

  it.each([
    ['per-channel vector to an activation', [1, 1, 1, 5], [2, 3, 4, 1]],
    ['every axis', [2, 3, 1, 2], [3, 1, 4, 2]],
    ['rank 1', [7], [3]],
    ['rank 5 with ones', [1, 2, 1, 3, 2], [2, 1, 3, 1, 2]],
  ] as const)('Tile, %s', async (_label, shape, reps) => {
    const values = seededValues(
      (shape as readonly number[]).reduce((a, b) => a * b, 1),
      6,
    );
    const run = () => [tf.tile(tf.tensor(values, [...shape]), [...reps] as number[])];
    const expected = await runOn('cpu', run);
    const actual = await runOn('wasm', run);
    expect(Array.from(actual[0]!)).toEqual(Array.from(expected[0]!));
  });

  it('upSampling2d gradient (ResizeNearestNeighborGrad) is the exact adjoint on wasm and on fixed cpu, batch 3', async () => {
    const [n, h, w, c] = [3, 3, 5, 2];
    const r = seededValues(n * 2 * h * 2 * w * c, 7);
    const adjoint = new Float32Array(n * h * w * c);
    for (let b = 0; b < n; b++)
      for (let y = 0; y < 2 * h; y++)
        for (let x = 0; x < 2 * w; x++)
          for (let k = 0; k < c; k++)
            adjoint[((b * h + (y >> 1)) * w + (x >> 1)) * c + k]! += r[((b * 2 * h + y) * 2 * w + x) * c + k]!;
    const run = () => {
      const weights = tf.tensor4d(r, [n, 2 * h, 2 * w, c]);
      const upsample = (a: tf.Tensor) =>
        tf.sum(tf.mul(tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [2 * h, 2 * w]), weights));
      const grad = tf.grad(upsample)(tf.zeros([n, h, w, c]));
      weights.dispose();
      return [grad];
    };
    for (const backend of ['cpu', 'wasm'] as const) {
      const [actual] = await runOn(backend, run);
      expect(relativeError(actual!, adjoint)).toBeLessThan(1e-6);
    }
  });

  it.each(['cpu', 'wasm'] as const)(
    'the supplied batch-norm gradient equals autodiff of the unfused formula, on %s',
    async (backend) => {
      await runOn('wasm', () => []); // registers the gradient
      const [n, h, w, c] = [3, 5, 4, 6];
      const eps = 1e-3;
      const run = () => {
        const x = tf.tensor4d(seededValues(n * h * w * c, 21), [n, h, w, c]);
        const mean = tf.tensor1d(seededValues(c, 22));
        const variance = tf.tensor1d(seededValues(c, 23).map((v) => 0.5 + v * v));
        const scale = tf.tensor1d(seededValues(c, 24));
        const offset = tf.tensor1d(seededValues(c, 25));
        const r = tf.tensor4d(seededValues(n * h * w * c, 26), [n, h, w, c]);
        const inputs = [x, mean, variance, scale, offset];
        const fused = tf.grads((a, m, v, s, o) =>
          tf.sum(tf.mul(tf.batchNorm(a!, m!, v!, o!, s! as tf.Tensor1D, eps), r)),
        )(inputs);
        const unfused = tf.grads((a, m, v, s, o) =>
          tf.sum(tf.mul(tf.add(tf.mul(tf.mul(tf.sub(a!, m!), tf.rsqrt(tf.add(v!, eps))), s!), o!), r)),
        )(inputs);
        tf.dispose([...inputs, r]);
        return [...fused, ...unfused];
      };
      const grads = await runOn(backend, run);
      for (let i = 0; i < 5; i++) expect(relativeError(grads[i]!, grads[i + 5]!)).toBeLessThan(1e-5);
    },
  );

  it('Identity (tf.clone) shares data on wasm and survives disposal of the original', async () => {
    await runOn('wasm', () => []);
    const before = tf.memory().numDataBuffers;
    const original = tf.tensor([1, 2, 3]);
    const copy = tf.clone(original);
    expect(tf.memory().numDataBuffers).toBe(before + 1);
    original.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3]);
    copy.dispose();
    expect(tf.memory().numDataBuffers).toBe(before);
  });

  it.each([
    ['2×2 stride 2 valid', 2, 2, 'valid', [2, 8, 6, 5]],
    ['3×3 stride 2 same, odd sizes', 3, 2, 'same', [2, 9, 7, 3]],
    ['3×3 stride 1 same', 3, 1, 'same', [1, 5, 6, 4]],
    ['2×2 stride 2 valid, odd sizes with ReLU-style ties', 2, 2, 'valid', [3, 7, 9, 2]],
  ] as const)('MaxPoolGrad, %s', async (label, size, stride, pad, shape) => {
    const count = shape.reduce((a: number, b: number) => a * b, 1);
    // Zeros everywhere a ReLU would clip: ties must go to the same (first) maximum as on cpu.
    const values = seededValues(count, 31).map((v) => (label.includes('ties') ? Math.max(0, v) : v));
    const run = () => {
      const x = tf.tensor4d(values, [...shape] as [number, number, number, number]);
      const pooled = tf.maxPool(x, size, stride, pad);
      const r = tf.tensor(seededValues(pooled.size, 32), pooled.shape);
      const grad = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, size, stride, pad), r)))(x);
      tf.dispose([x, pooled, r]);
      return [grad];
    };
    const expected = await runOn('cpu', run);
    const actual = await runOn('wasm', run);
    expect(relativeError(actual[0]!, expected[0]!)).toBeLessThan(1e-6);
  });

  it('tileInto replicates a block row-major', () => {
    const dst = new Float32Array(12);
    tileInto(Float32Array.from([1, 2, 3]), [1, 3], [2, 2], dst);
    expect(Array.from(dst)).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]);
  });

  it('dilated convolutions have no gradient in tfjs: a clear error on wasm too', async () => {
    await runOn('wasm', () => []);
    const x = tf.ones([1, 9, 9, 2]) as tf.Tensor4D;
    const w = tf.ones([3, 3, 2, 2]) as tf.Tensor4D;
    expect(() => tf.grad((a: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, w, 1, 'same', 'NHWC', 2)))(x)).toThrow(
      /dilation/i,
    );
    tf.dispose([x, w]);
  });
});
