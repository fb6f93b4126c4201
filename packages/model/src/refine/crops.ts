/**
 * Crop-and-refine, the second stage of a model. The first network sees the whole photo squashed
 * to its input size, where a water-meter window is only ~25×6 pixels: it finds the window well but
 * cannot place its edges finer than a pixel of that grid (~15 photo pixels). The refine network
 * sees a crop around the first stage's region at its own input size, ~4× finer, and its
 * prediction is pasted back at the photo's resolution.
 *
 * Geometry is continuous pixel coordinates: pixel i covers [i, i + 1), and sampling uses
 * half-pixel centres like `resizeBilinear`. A Box is in the coordinates of the image it refers to.
 */
import type { BinaryMask, RgbImage } from '../image-io';
import type { ProbabilityMap } from '../metrics';
import type { Random } from '../random';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface RefineGeometry {
  /** Share of the region's size added on each side. */
  margin: number;
  /** The crop is at least this share of the photo's width and height. */
  min_size: number;
}

/** The tight bounding box of the foreground, or null when the mask is empty. */
export function maskBounds(mask: Uint8Array, width: number, height: number): Box | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (mask[row + x] !== 1) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return null;
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

export function scaleBox(box: Box, sx: number, sy: number): Box {
  return { x: box.x * sx, y: box.y * sy, width: box.width * sx, height: box.height * sy };
}

/**
 * The crop around `bounds` in an image of `width` × `height`: grown by `margin` on each side, at
 * least `min_size` of the image, optionally jittered (training: random shift and scale of up to
 * `jitter` of the crop's size), then moved/clipped to lie inside the image.
 */
export function cropBox(
  bounds: Box,
  width: number,
  height: number,
  geometry: RefineGeometry,
  jitter?: { amount: number; random: Random },
): Box {
  let w = Math.max(bounds.width * (1 + 2 * geometry.margin), geometry.min_size * width);
  let h = Math.max(bounds.height * (1 + 2 * geometry.margin), geometry.min_size * height);
  let cx = bounds.x + bounds.width / 2;
  let cy = bounds.y + bounds.height / 2;
  if (jitter && jitter.amount > 0) {
    const r = (): number => jitter.random() * 2 - 1;
    cx += r() * jitter.amount * w;
    cy += r() * jitter.amount * h;
    w *= 1 + r() * jitter.amount;
    h *= 1 + r() * jitter.amount;
  }
  w = Math.min(w, width);
  h = Math.min(h, height);
  const x = Math.min(Math.max(0, cx - w / 2), width - w);
  const y = Math.min(Math.max(0, cy - h / 2), height - h);
  return { x, y, width: w, height: h };
}

/**
 * Bilinear sample of channel `c` of an interleaved `w` × `h` image at the continuous point
 * (sx, sy), pixel centres at i + 0.5, edge-clamped.
 */
function sample(
  data: ArrayLike<number>,
  w: number,
  h: number,
  channels: number,
  c: number,
  sx: number,
  sy: number,
): number {
  const fx = Math.min(Math.max(sx - 0.5, 0), w - 1);
  const fy = Math.min(Math.max(sy - 0.5, 0), h - 1);
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const x1 = Math.min(w - 1, x0 + 1);
  const y1 = Math.min(h - 1, y0 + 1);
  const ax = fx - x0;
  const ay = fy - y0;
  const top = (data[(y0 * w + x0) * channels + c] ?? 0) * (1 - ax) + (data[(y0 * w + x1) * channels + c] ?? 0) * ax;
  const bottom = (data[(y1 * w + x0) * channels + c] ?? 0) * (1 - ax) + (data[(y1 * w + x1) * channels + c] ?? 0) * ax;
  return top * (1 - ay) + bottom * ay;
}

/** `box` of an interleaved image resized to `size` × `size`; `finish` turns each sample into a byte. */
function crop(
  source: { width: number; height: number; data: Uint8Array },
  channels: number,
  box: Box,
  size: number,
  finish: (value: number) => number,
): Uint8Array {
  const out = new Uint8Array(size * size * channels);
  const stepX = box.width / size;
  const stepY = box.height / size;
  for (let v = 0; v < size; v++) {
    const sy = box.y + (v + 0.5) * stepY;
    for (let u = 0; u < size; u++) {
      const sx = box.x + (u + 0.5) * stepX;
      for (let c = 0; c < channels; c++) {
        out[(v * size + u) * channels + c] = finish(
          sample(source.data, source.width, source.height, channels, c, sx, sy),
        );
      }
    }
  }
  return out;
}

/** `box` of `image` resized to `size` × `size` (bilinear). */
export function cropImage(image: RgbImage, box: Box, size: number): RgbImage {
  return { width: size, height: size, data: crop(image, 3, box, size, Math.round) };
}

/** `box` of `mask` resized to `size` × `size`: bilinear, then thresholded at 0.5. */
export function cropMask(mask: BinaryMask, box: Box, size: number): BinaryMask {
  return { width: size, height: size, data: crop(mask, 1, box, size, (v) => (v >= 0.5 ? 1 : 0)) };
}

/**
 * A crop's probability map placed back into a `width` × `height` frame: pixels whose centre lies
 * inside `box` read the map bilinearly (the inverse of `crop`), pixels outside read 0.
 */
export function pasteProbabilities(map: ProbabilityMap, box: Box, width: number, height: number): ProbabilityMap {
  const out = new Float32Array(width * height);
  const scaleX = map.width / box.width;
  const scaleY = map.height / box.height;
  const yEnd = Math.min(height, Math.ceil(box.y + box.height));
  const xEnd = Math.min(width, Math.ceil(box.x + box.width));
  for (let y = Math.max(0, Math.floor(box.y)); y < yEnd; y++) {
    const cy = y + 0.5;
    if (cy < box.y || cy > box.y + box.height) continue;
    for (let x = Math.max(0, Math.floor(box.x)); x < xEnd; x++) {
      const cx = x + 0.5;
      if (cx < box.x || cx > box.x + box.width) continue;
      out[y * width + x] = sample(map.data, map.width, map.height, 1, 0, (cx - box.x) * scaleX, (cy - box.y) * scaleY);
    }
  }
  return { width, height, data: out };
}

/** A photo and its mask at the refine source resolution, with the mask's bounds. */
export interface RefineSource {
  id: string;
  image: RgbImage;
  mask: BinaryMask;
  bounds: Box | null;
}

/**
 * The first stage's mistakes a refine network trains on (`refine.stage_errors`), each a region
 * the first network hands over instead of the true one, as cross-validation found them
 * (docs/training.md): `partial` covers only a piece of the window, `loose` is up to 3× too
 * large in each direction and off-centre, `elsewhere` is a window-sized box anywhere in the photo.
 */
export type StageErrorKind = 'partial' | 'loose' | 'elsewhere';

/** Shares of the imitated mistakes: 2 partial : 2 loose : 1 elsewhere. */
const STAGE_ERROR_KINDS: readonly { kind: StageErrorKind; upTo: number }[] = [
  { kind: 'partial', upTo: 0.4 },
  { kind: 'loose', upTo: 0.8 },
  { kind: 'elsewhere', upTo: 1 },
];

/**
 * A stand-in for the first stage's region on a `width` × `height` image whose true region is
 * `bounds`, of the given kind:
 * - `partial`: 20–100% of each side, placed anywhere inside `bounds`;
 * - `loose`: each side 1–3× as long, the centre moved by up to half the true side;
 * - `elsewhere`: the size of `bounds`, anywhere in the image (usually missing the region).
 * The box always lies inside the image.
 */
export function imitateStageError(
  bounds: Box,
  width: number,
  height: number,
  kind: StageErrorKind,
  random: Random,
): Box {
  const side = (start: number, length: number, limit: number): [number, number] => {
    if (kind === 'partial') {
      const part = length * (0.2 + 0.8 * random());
      return [start + random() * (length - part), part];
    }
    if (kind === 'loose') {
      const grown = Math.min(limit, length * (1 + 2 * random()));
      const centre = start + length / 2 + (random() * 2 - 1) * 0.5 * length;
      return [Math.min(Math.max(0, centre - grown / 2), limit - grown), grown];
    }
    const kept = Math.min(limit, length);
    return [random() * (limit - kept), kept];
  };
  const [x, w] = side(bounds.x, bounds.width, width);
  const [y, h] = side(bounds.y, bounds.height, height);
  return { x, y, width: w, height: h };
}

/** Which mistake, if any, one training crop imitates: none with probability 1 − `share`. */
export function drawStageError(share: number, random: Random): StageErrorKind | undefined {
  const u = random();
  if (u >= share) return undefined;
  const v = u / share;
  return STAGE_ERROR_KINDS.find((k) => v < k.upTo)?.kind ?? 'elsewhere';
}

/**
 * The crop a refine network trains or validates on: around the mask's bounds, or around an
 * imitated first-stage mistake (`stageError`), jittered when `jitter` is given; the whole photo
 * when the mask is empty. The target is whatever of the true mask the crop holds.
 */
export function refineCrop(
  source: RefineSource,
  geometry: RefineGeometry,
  size: number,
  jitter?: { amount: number; random: Random },
  stageError?: { kind: StageErrorKind; random: Random },
): { image: RgbImage; mask: BinaryMask } {
  const { width, height } = source.image;
  let region = source.bounds;
  if (region && stageError) region = imitateStageError(region, width, height, stageError.kind, stageError.random);
  const box = region ? cropBox(region, width, height, geometry, jitter) : { x: 0, y: 0, width, height };
  return { image: cropImage(source.image, box, size), mask: cropMask(source.mask, box, size) };
}
