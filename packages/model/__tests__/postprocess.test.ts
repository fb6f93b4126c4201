import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyPostprocess,
  DEFAULT_INFERENCE,
  DEFAULT_TRAIN_CONFIG,
  fillHoles,
  inferenceSpecFromConfig,
  INFERENCE_JSON,
  keepLargestComponent,
  NO_POSTPROCESS,
  readInferenceSpec,
  scorePrediction,
} from '../src';
import type { ProbabilityMap } from '../src/metrics';

/** Parses rows of '#' (1) and '.' (0). */
function grid(rows: string[]): { data: Uint8Array; width: number; height: number } {
  const width = rows[0]!.length;
  return { data: Uint8Array.from(rows.join(''), (c) => (c === '#' ? 1 : 0)), width, height: rows.length };
}
function show(data: Uint8Array, width: number): string[] {
  const rows: string[] = [];
  for (let y = 0; y < data.length / width; y++) {
    rows.push(Array.from(data.subarray(y * width, (y + 1) * width), (v) => (v ? '#' : '.')).join(''));
  }
  return rows;
}

describe('post-processing', () => {
  it('keeps only the largest 8-connected component', () => {
    const { data, width, height } = grid([
      '##.....#', //
      '.#......',
      '..#..###',
      '.....###',
    ]);
    // The diagonal chain (0,0)(1,0)(1,1)(2,2) is one 8-connected region of 4 pixels; the
    // right block has 6; the lone pixel at the top right has 1.
    expect(show(keepLargestComponent(data, width, height), width)).toEqual([
      '........', //
      '........',
      '.....###',
      '.....###',
    ]);
  });

  it('leaves a single component and an empty mask unchanged', () => {
    const one = grid(['.##.', '.##.']);
    expect(keepLargestComponent(one.data, one.width, one.height)).toBe(one.data);
    const empty = grid(['....', '....']);
    expect(Array.from(applyPostprocess(empty.data, 4, 2, { keep_largest_component: true, fill_holes: true }))).toEqual(
      Array.from(empty.data),
    );
  });

  it('fills enclosed holes but not background that reaches the frame', () => {
    const { data, width, height } = grid([
      '#####...', //
      '#..##.#.',
      '#####.#.',
      '......#.',
    ]);
    expect(show(fillHoles(data, width, height), width)).toEqual([
      '#####...', //
      '#####.#.',
      '#####.#.',
      '......#.',
    ]);
  });

  it('treats a diagonal gap in an outline as closed (background is 4-connected)', () => {
    const { data, width, height } = grid([
      '.#.', //
      '#.#',
      '.#.',
    ]);
    expect(show(fillHoles(data, width, height), width)).toEqual(['.#.', '###', '.#.']);
  });

  it('does not modify its input and rejects a size mismatch', () => {
    const { data, width, height } = grid(['#.#', '...']);
    const before = Array.from(data);
    applyPostprocess(data, width, height, { keep_largest_component: true, fill_holes: true });
    expect(Array.from(data)).toEqual(before);
    expect(() => applyPostprocess(data, 2, 2)).toThrow('mask has 6 pixels, expected 2×2');
  });

  it('is applied by scorePrediction at the mask resolution', () => {
    // Truth: the left 2×2 block. Prediction: that block plus a stray pixel at the right.
    const truth = grid(['##...', '##...']);
    const prediction: ProbabilityMap = { width: 5, height: 2, data: Float32Array.from([1, 1, 0, 0, 1, 1, 1, 0, 0, 0]) };
    const mask = { width: 5, height: 2, data: truth.data };
    expect(scorePrediction('a', prediction, mask).dice).toBeCloseTo(8 / 9, 12);
    const cleaned = scorePrediction('a', prediction, mask, 0.5, { keep_largest_component: true, fill_holes: false });
    expect(cleaned).toEqual({ id: 'a', dice: 1, iou: 1 });
  });
});

describe('inference.json', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wms-inference-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to threshold 0.5 without post-processing for a model saved without one', () => {
    expect(readInferenceSpec(dir)).toEqual(DEFAULT_INFERENCE);
    expect(DEFAULT_INFERENCE.postprocess).toEqual({ keep_largest_component: false, fill_holes: false });
  });

  it('round-trips the spec derived from a training config', () => {
    // The defaults leave both steps `auto` (off until validation turns them on); the chosen
    // steps are passed in.
    expect(inferenceSpecFromConfig(DEFAULT_TRAIN_CONFIG).postprocess).toEqual(NO_POSTPROCESS);
    const spec = inferenceSpecFromConfig(DEFAULT_TRAIN_CONFIG, 1, { keep_largest_component: true, fill_holes: true });
    expect(spec).toEqual({
      schemaVersion: 1,
      threshold: 0.5,
      postprocess: { keep_largest_component: true, fill_holes: true },
      refine: { dir: 'refine', input_size: 96, margin: 0.3, min_size: 0.05, source_size: 768, tta: 'flips', passes: 1 },
    });
    expect(inferenceSpecFromConfig(DEFAULT_TRAIN_CONFIG, 0).refine).toBeUndefined();
    expect(inferenceSpecFromConfig(DEFAULT_TRAIN_CONFIG, 2).refine?.passes).toBe(2);
    writeFileSync(join(dir, INFERENCE_JSON), JSON.stringify(spec));
    expect(readInferenceSpec(dir)).toEqual(spec);
  });

  it('round-trips the TTA, fallback and region choices, and leaves them out when not chosen', () => {
    const plain = inferenceSpecFromConfig(DEFAULT_TRAIN_CONFIG, 1);
    expect(plain.tta).toBeUndefined();
    expect(plain.empty_fallback).toBeUndefined();
    expect(plain.refine?.regions).toBeUndefined();
    const spec = inferenceSpecFromConfig(DEFAULT_TRAIN_CONFIG, 2, NO_POSTPROCESS, {
      tta: 'dihedral',
      empty_fallback: true,
      regions: 3,
    });
    expect(spec).toMatchObject({ tta: 'dihedral', empty_fallback: true, refine: { passes: 2, regions: 3 } });
    writeFileSync(join(dir, INFERENCE_JSON), JSON.stringify(spec));
    expect(readInferenceSpec(dir)).toEqual(spec);
    // Without a refine pass there is nothing to choose regions for.
    expect(inferenceSpecFromConfig(DEFAULT_TRAIN_CONFIG, 0, NO_POSTPROCESS, { regions: 3 }).refine).toBeUndefined();
    writeFileSync(join(dir, INFERENCE_JSON), JSON.stringify({ ...spec, tta: 'rot90' }));
    expect(() => readInferenceSpec(dir)).toThrow(/'tta'/);
    writeFileSync(join(dir, INFERENCE_JSON), JSON.stringify({ ...spec, refine: { ...spec.refine, regions: 9 } }));
    expect(() => readInferenceSpec(dir)).toThrow(/'refine\.regions'/);
  });

  it('reads a spec saved before refine passes existed (one pass implied)', () => {
    const { passes: _omitted, ...older } = inferenceSpecFromConfig(DEFAULT_TRAIN_CONFIG).refine!;
    writeFileSync(join(dir, INFERENCE_JSON), JSON.stringify({ ...DEFAULT_INFERENCE, refine: older }));
    expect(readInferenceSpec(dir).refine).toEqual(older);
    writeFileSync(join(dir, INFERENCE_JSON), JSON.stringify({ ...DEFAULT_INFERENCE, refine: { ...older, passes: 0 } }));
    expect(() => readInferenceSpec(dir)).toThrow(/'refine\.passes'/);
  });

  it('names the file and the bad key when the spec is invalid', () => {
    writeFileSync(join(dir, INFERENCE_JSON), JSON.stringify({ schemaVersion: 1, threshold: 2, postprocess: {} }));
    expect(() => readInferenceSpec(dir)).toThrow(
      /inference\.json is not a valid inference spec: 'threshold'.*'postprocess\.keep_largest_component'/s,
    );
    writeFileSync(join(dir, INFERENCE_JSON), '{not json');
    expect(() => readInferenceSpec(dir)).toThrow(/inference\.json is not valid JSON/);
  });
});
