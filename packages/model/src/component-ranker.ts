/**
 * Which of the first stage's regions to keep when keep-largest-component would keep the wrong
 * one. On the water meters the first network's map often reaches 0.8–0.98 on the reading window
 * while a larger region elsewhere (a printed serial-number strip, the maker's logo) wins by size
 * (docs/training.md). The ranker scores each region (8-connected component of the thresholded
 * map at the scored resolution) by a few scale-free features and keeps the best; it is a
 * conditional-logit model (a softmax over the regions of one photo) fitted on the TRAINING pairs
 * at the end of training, with the region that overlaps the truth most as the answer. Whether a
 * model uses it is then decided on validation like every other post-processing step
 * (`postprocess.component_choice`, choose-inference.ts). With all weights 0 every region scores
 * the same and the largest is kept, so an unfitted or uninformed ranker is keep-largest.
 */
import { labelRegions } from './postprocess';

/** The features, in the order of the weights (saved with the model: inference.json). */
export const RANKER_FEATURES = [
  /** log(area / area of the photo's largest region): 0 for the largest. */
  'log_area_ratio',
  /** Mean probability over the region. */
  'mean_p',
  /** Highest probability in the region. */
  'max_p',
  /** Share of the region's bounding box it fills. */
  'box_fill',
  /** |log(box width / box height)|: 0 for a square box. */
  'log_aspect',
  /** Distance of the region's centroid from the photo's centre, over the half-diagonal. */
  'centre_distance',
] as const;

/** Regions considered per photo: the largest ones (smaller specks never hold the window alone). */
export const RANKER_MAX_REGIONS = 5;

export interface ComponentRanker {
  features: readonly string[];
  /** Standardization of each feature (fitted on the training regions). */
  mean: number[];
  scale: number[];
  weights: number[];
  /** Training examples (views with at least two regions, one of them on the mask) that fitted it. */
  examples: number;
}

interface Region {
  label: number;
  size: number;
  features: number[];
}

/**
 * The regions of a 0/1 mask, largest first (ties: raster order), at most `limit`, with their
 * features from `probabilities` (the map resized to the mask's frame).
 */
export function regionFeatures(
  mask: Uint8Array,
  probabilities: Float32Array,
  width: number,
  height: number,
  limit = RANKER_MAX_REGIONS,
): { labels: Int32Array; regions: Region[] } {
  const { labels, sizes } = labelRegions(mask, width, height, 1, 8);
  const n = sizes.length;
  const sumP = new Float64Array(n);
  const maxP = new Float64Array(n);
  const sumX = new Float64Array(n);
  const sumY = new Float64Array(n);
  const x0 = new Int32Array(n).fill(width);
  const y0 = new Int32Array(n).fill(height);
  const x1 = new Int32Array(n).fill(-1);
  const y1 = new Int32Array(n).fill(-1);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] ?? 0;
    if (label === 0) continue;
    const k = label - 1;
    const p = probabilities[i] ?? 0;
    const x = i % width;
    const y = (i - x) / width;
    sumP[k]! += p;
    if (p > maxP[k]!) maxP[k] = p;
    sumX[k]! += x;
    sumY[k]! += y;
    if (x < x0[k]!) x0[k] = x;
    if (x > x1[k]!) x1[k] = x;
    if (y < y0[k]!) y0[k] = y;
    if (y > y1[k]!) y1[k] = y;
  }
  const order = sizes
    .map((size, k) => ({ size, k }))
    .sort((a, b) => b.size - a.size || a.k - b.k)
    .slice(0, limit);
  const largest = order[0]?.size ?? 1;
  const halfDiagonal = Math.hypot(width, height) / 2;
  const regions = order.map(({ size, k }) => {
    const boxW = x1[k]! - x0[k]! + 1;
    const boxH = y1[k]! - y0[k]! + 1;
    const cx = sumX[k]! / size + 0.5;
    const cy = sumY[k]! / size + 0.5;
    return {
      label: k + 1,
      size,
      features: [
        Math.log(size / largest),
        sumP[k]! / size,
        maxP[k]!,
        size / (boxW * boxH),
        Math.abs(Math.log(boxW / boxH)),
        Math.hypot(cx - width / 2, cy - height / 2) / halfDiagonal,
      ],
    };
  });
  return { labels, regions };
}

/** The ranker's score of one region's features (higher: more likely the object). */
export function rankScore(ranker: ComponentRanker, features: readonly number[]): number {
  let score = 0;
  for (let j = 0; j < ranker.weights.length; j++) {
    score += ranker.weights[j]! * (((features[j] ?? 0) - ranker.mean[j]!) / ranker.scale[j]!);
  }
  return score;
}

/** The index of the region the ranker scores highest among `features` (largest first; ties: the larger). */
function bestRegion(ranker: ComponentRanker, features: readonly (readonly number[])[]): number {
  let best = 0;
  let bestScore = -Infinity;
  for (const [r, f] of features.entries()) {
    const score = rankScore(ranker, f);
    if (score > bestScore) {
      best = r;
      bestScore = score;
    }
  }
  return best;
}

/** Keeps only the region the ranker scores highest (ties: the larger); the input is not modified. */
export function keepRankedComponent(
  mask: Uint8Array,
  probabilities: Float32Array,
  width: number,
  height: number,
  ranker: ComponentRanker,
): Uint8Array {
  const { labels, regions } = regionFeatures(mask, probabilities, width, height);
  if (regions.length === 0) return mask;
  const best =
    regions[
      bestRegion(
        ranker,
        regions.map((r) => r.features),
      )
    ]!;
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < out.length; i++) out[i] = labels[i] === best.label ? 1 : 0;
  return out;
}

/** One training photo's regions (features, largest first) and which of them is on the truth. */
export interface RankerExample {
  features: number[][];
  answer: number;
}

/**
 * The training example of one photo: its regions and the one overlapping `truth` most; undefined
 * when it cannot teach a choice (fewer than two regions, or none touches the truth).
 */
export function rankerExample(
  mask: Uint8Array,
  probabilities: Float32Array,
  truth: Uint8Array,
  width: number,
  height: number,
): RankerExample | undefined {
  const { labels, regions } = regionFeatures(mask, probabilities, width, height);
  if (regions.length < 2) return undefined;
  const overlap = new Map<number, number>(regions.map((r) => [r.label, 0]));
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] ?? 0;
    if (label !== 0 && truth[i] === 1 && overlap.has(label)) overlap.set(label, overlap.get(label)! + 1);
  }
  let answer = -1;
  let most = 0;
  for (const [r, region] of regions.entries()) {
    const o = overlap.get(region.label)!;
    if (o > most) {
      most = o;
      answer = r;
    }
  }
  return answer < 0 ? undefined : { features: regions.map((r) => r.features), answer };
}

export interface FitOptions {
  /** L2 penalty on the standardized weights (per photo). */
  l2?: number;
  iterations?: number;
  /** Fewer examples than this: no ranker. */
  minExamples?: number;
}

/**
 * Fits the conditional logit (softmax over each photo's regions) by gradient descent on the mean
 * negative log-likelihood plus an L2 penalty; the problem is convex, the start is all weights 0
 * (keep-largest) and the result deterministic. Undefined with fewer than `minExamples` examples.
 */
export function fitComponentRanker(
  examples: readonly RankerExample[],
  opts: FitOptions = {},
): ComponentRanker | undefined {
  const { l2 = 0.05, iterations = 400, minExamples = 5 } = opts;
  if (examples.length < minExamples) return undefined;
  const d = RANKER_FEATURES.length;
  const all = examples.flatMap((e) => e.features);
  const mean = Array.from({ length: d }, (_, j) => all.reduce((a, f) => a + f[j]!, 0) / all.length);
  const scale = Array.from({ length: d }, (_, j) => {
    const variance = all.reduce((a, f) => a + (f[j]! - mean[j]!) ** 2, 0) / all.length;
    return Math.sqrt(variance) || 1;
  });
  const data = examples.map((e) => ({
    x: e.features.map((f) => f.map((v, j) => (v - mean[j]!) / scale[j]!)),
    answer: e.answer,
  }));
  const w = new Array<number>(d).fill(0);
  const rate = 0.5;
  for (let it = 0; it < iterations; it++) {
    const grad = w.map((wj) => l2 * wj);
    for (const { x, answer } of data) {
      const scores = x.map((f) => f.reduce((a, v, j) => a + v * w[j]!, 0));
      const top = Math.max(...scores);
      const exp = scores.map((s) => Math.exp(s - top));
      const total = exp.reduce((a, b) => a + b, 0);
      for (const [r, f] of x.entries()) {
        const p = exp[r]! / total - (r === answer ? 1 : 0);
        for (let j = 0; j < d; j++) grad[j]! += (p * f[j]!) / data.length;
      }
    }
    for (let j = 0; j < d; j++) w[j]! -= rate * grad[j]!;
  }
  return { features: [...RANKER_FEATURES], mean, scale, weights: w, examples: examples.length };
}

/** Share of `examples` whose answer the ranker puts first (ties: the larger region). */
export function rankerAccuracy(ranker: ComponentRanker | undefined, examples: readonly RankerExample[]): number {
  if (examples.length === 0) return 1;
  let right = 0;
  for (const e of examples) if ((ranker ? bestRegion(ranker, e.features) : 0) === e.answer) right++;
  return right / examples.length;
}
