/**
 * segmentToMask end to end with a refine network whose output is known: a 1×1 conv with zero
 * kernel and a large bias predicts "foreground" everywhere in its crop, so the final mask must be
 * exactly the crop box drawn around the first stage's region, in photo pixels.
 */
import * as tf from '@tensorflow/tfjs';
import { predictProbabilities, segmentToMask, type Segmenter } from '../src/segmenter';
import { DEFAULT_INFERENCE, type InferenceSpec } from '../src/inference-spec';
import { cropBox } from '../src/refine/crops';
import { asymmetricConv, constantModel } from './known-networks';

describe('segmentToMask', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const W = 200;
  const H = 100;
  // First stage (8×8 map): a 2×2 block → at 200×100 roughly x 50–100, y 25–50; plus a stray pixel.
  const firstStage = { width: 8, height: 8, data: new Float32Array(64) };
  for (const i of [2 * 8 + 2, 2 * 8 + 3, 3 * 8 + 2, 3 * 8 + 3]) firstStage.data[i] = 1;
  firstStage.data[7 * 8 + 7] = 0.9;
  const photo = { width: 400, height: 200, data: new Uint8Array(400 * 200 * 3) };
  const refineSpec = { dir: 'refine', input_size: 16, margin: 0.5, min_size: 0, source_size: 400 };
  const spec: InferenceSpec = {
    ...DEFAULT_INFERENCE,
    postprocess: { keep_largest_component: true, fill_holes: true },
    refine: refineSpec,
  };

  /** The crop box (photo pixels, 2× the mask) around mask bounds, mapped back to mask pixels. */
  function cropOf(bounds: { x0: number; y0: number; x1: number; y1: number }, geometry = refineSpec) {
    const box = cropBox(
      {
        x: bounds.x0 * 2,
        y: bounds.y0 * 2,
        width: (bounds.x1 - bounds.x0 + 1) * 2,
        height: (bounds.y1 - bounds.y0 + 1) * 2,
      },
      400,
      200,
      geometry,
    );
    // A pixel belongs to the crop when its centre (i + 0.5) lies inside the box (+ 0: no -0).
    const first = (start: number): number => Math.ceil(start - 0.5) + 0;
    const last = (end: number): number => Math.floor(end - 0.5);
    return {
      x0: first(box.x / 2),
      y0: first(box.y / 2),
      x1: last((box.x + box.width) / 2),
      y1: last((box.y + box.height) / 2),
    };
  }

  it('without a refine network: the first stage resized, thresholded and post-processed', async () => {
    const model = constantModel(8, 0);
    const segmenter: Segmenter = { model, spec: { ...spec, refine: undefined } };
    let decoded = 0;
    const mask = await segmentToMask(segmenter, firstStage, W, H, async () => {
      decoded++;
      return photo;
    });
    const box = boundsOf(mask, W, H)!;
    expect(box.x0).toBeGreaterThan(40);
    expect(box.x1).toBeLessThan(110);
    expect(mask[H * W - 1]).toBe(0); // the stray pixel's region is dropped
    expect(decoded).toBe(0); // no photo needed
    model.dispose();
  });

  it('with a refine network: the pasted crop covers exactly the crop box around the first region', async () => {
    const model = constantModel(8, 0);
    const refine = constantModel(16, 10);
    const segmenter: Segmenter = { model, spec, refine };
    const stage1 = await segmentToMask(
      { model, spec: { ...spec, refine: undefined } },
      firstStage,
      W,
      H,
      async () => photo,
    );
    const bounds = boundsOf(stage1, W, H)!;
    const mask = await segmentToMask(segmenter, firstStage, W, H, async () => photo);
    const expected = cropOf(bounds);
    expect(boundsOf(mask, W, H)).toEqual(expected);
    const area = mask.reduce((s, v) => s + v, 0);
    expect(area).toBe((expected.x1 - expected.x0 + 1) * (expected.y1 - expected.y0 + 1));
    model.dispose();
    refine.dispose();
  });

  it('applies refine.passes passes, each cropping around the previous mask, decoding the photo once', async () => {
    const model = constantModel(8, 0);
    const refine = constantModel(16, 10);
    const narrow = { ...refineSpec, margin: 0.2 };
    const one = await segmentToMask(
      { model, spec: { ...spec, refine: narrow }, refine },
      firstStage,
      W,
      H,
      async () => photo,
    );
    let decoded = 0;
    const twoSpec = { ...spec, refine: { ...narrow, passes: 2 } };
    const two = await segmentToMask({ model, spec: twoSpec, refine }, firstStage, W, H, async () => {
      decoded++;
      return photo;
    });
    // The constant refine network fills its crop, so the second pass is the crop around the first.
    const expected = cropOf(boundsOf(one, W, H)!, narrow);
    expect(boundsOf(two, W, H)).toEqual(expected);
    expect(expected.x0).toBeGreaterThan(0); // not clamped to the photo
    expect(expected.x1).toBeLessThan(W - 1);
    expect(two.reduce((s, v) => s + v, 0)).toBeGreaterThan(one.reduce((s, v) => s + v, 0));
    expect(decoded).toBe(1);
    model.dispose();
    refine.dispose();
  });

  it('keeps an empty first stage empty without decoding the photo', async () => {
    const model = constantModel(8, 0);
    const refine = constantModel(16, 10);
    const empty = { width: 8, height: 8, data: new Float32Array(64) };
    const mask = await segmentToMask({ model, spec, refine }, empty, W, H, async () => {
      throw new Error('should not decode');
    });
    expect(mask.every((v) => v === 0)).toBe(true);
    model.dispose();
    refine.dispose();
  });
});

describe('predictProbabilities with flips (test-time augmentation)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('averages the predictions of the four mirrored images, each mirrored back', async () => {
    // Its output changes when the input is mirrored.
    const model = asymmetricConv(6);
    const data = Uint8Array.from({ length: 6 * 6 * 3 }, (_, i) => (i * 37) % 256);
    const image = { width: 6, height: 6, data };

    const [plain] = await predictProbabilities(model, [image]);
    const [averaged] = await predictProbabilities(model, [image], true);
    const x = tf.tensor4d(
      Float32Array.from(data, (v) => v / 255),
      [1, 6, 6, 3],
    );
    const expected = tf.tidy(() => {
      const views = [[], [2], [1], [1, 2]].map((axes) =>
        axes.length === 0
          ? (model.predict(x) as tf.Tensor4D)
          : tf.reverse(model.predict(tf.reverse(x, axes)) as tf.Tensor4D, axes),
      );
      return tf.addN(views).div(4);
    });
    const want = Array.from(expected.dataSync());
    Array.from(averaged!.data).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    expect(Array.from(averaged!.data)).not.toEqual(Array.from(plain!.data));
    tf.dispose([x, expected]);
    model.dispose();
  });
});

function boundsOf(mask: Uint8Array, w: number, h: number): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}
