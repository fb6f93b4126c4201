/**
 * Seeded augmentation on uint8 samples at input size. Every geometric step maps the image and the
 * mask through the same source coordinates, so they stay aligned; brightness/contrast touch the
 * image only. One seed gives one exact result (tests and reruns repeat).
 */
import type { AugmentationConfig } from './config';
import type { BinaryMask, RgbImage } from './image-io';
import { createRandom } from './random';

export interface Sample {
  image: RgbImage;
  mask: BinaryMask;
}

export interface AugmentationPlan {
  flipH: boolean;
  flipV: boolean;
  /** Radians; 0 = no rotation. */
  angle: number;
  /** Quarter turns before the small rotation: -1, 0 or 1 (photos taken sideways). */
  quarterTurns: number;
  /** Zoom factor around the centre (>1 enlarges, 1 = unchanged). */
  scale: number;
  /** Replace colour by luma (ITU-R BT.601), so the network cannot rely on colour alone. */
  grayscale: boolean;
  /** Multiplier around the image mean (1 = unchanged) and additive shift in [-255, 255]. */
  contrast: number;
  brightness: number;
}

export const IDENTITY_PLAN: AugmentationPlan = {
  flipH: false,
  flipV: false,
  angle: 0,
  quarterTurns: 0,
  scale: 1,
  grayscale: false,
  contrast: 1,
  brightness: 0,
};

export function planAugmentation(cfg: AugmentationConfig, seed: number): AugmentationPlan {
  const random = createRandom(seed);
  const flipH = random() < cfg.horizontal_flip;
  const flipV = random() < cfg.vertical_flip;
  const rotate = random() < cfg.rotation_prob;
  const degrees = (random() * 2 - 1) * cfg.rotation_degrees;
  const jitter = random() < cfg.color_jitter_prob;
  const contrast = 1 + (random() * 2 - 1) * cfg.contrast;
  const brightness = (random() * 2 - 1) * cfg.brightness * 255;
  // Drawn after the original steps, so adding them left the earlier draws of a seed unchanged.
  const turn = random() < cfg.rotate90_prob;
  const turnDirection = random() < 0.5 ? -1 : 1;
  const zoom = random() < cfg.scale_prob;
  const scale = 1 + (random() * 2 - 1) * cfg.scale;
  const grayscale = random() < cfg.grayscale_prob;
  return {
    flipH,
    flipV,
    angle: rotate ? (degrees * Math.PI) / 180 : 0,
    quarterTurns: turn ? turnDirection : 0,
    scale: zoom ? scale : 1,
    grayscale,
    contrast: jitter ? contrast : 1,
    brightness: jitter ? brightness : 0,
  };
}

/**
 * Applies a plan. Output pixel (x, y) reads the source at the inverse-rotated, inverse-scaled,
 * flipped point;
 * the image is sampled bilinearly, the mask with the same weights then thresholded at 0.5, and
 * points outside the frame read as background (mask 0, image edge-clamped).
 */
export function applyAugmentation(sample: Sample, plan: AugmentationPlan): Sample {
  const { width: w, height: h } = sample.image;
  const geometric = plan.flipH || plan.flipV || plan.angle !== 0 || plan.quarterTurns !== 0 || plan.scale !== 1;
  const image = new Uint8Array(w * h * 3);
  const mask = new Uint8Array(w * h);
  const src = sample.image.data;
  const srcMask = sample.mask.data;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const angle = plan.angle + (plan.quarterTurns * Math.PI) / 2;
  // Exact zeros for quarter turns, so a pure 90° turn maps pixel centres onto pixel centres.
  const cos = Math.round(Math.cos(angle) * 1e12) / 1e12 / plan.scale;
  const sin = Math.round(Math.sin(angle) * 1e12) / 1e12 / plan.scale;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = y * w + x;
      if (!geometric) {
        image[o * 3] = src[o * 3] ?? 0;
        image[o * 3 + 1] = src[o * 3 + 1] ?? 0;
        image[o * 3 + 2] = src[o * 3 + 2] ?? 0;
        mask[o] = srcMask[o] ?? 0;
        continue;
      }
      const fx = plan.flipH ? w - 1 - x : x;
      const fy = plan.flipV ? h - 1 - y : y;
      const dx = fx - cx;
      const dy = fy - cy;
      const sx = cos * dx + sin * dy + cx;
      const sy = -sin * dx + cos * dy + cy;
      const inside = sx > -0.5 && sx < w - 0.5 && sy > -0.5 && sy < h - 0.5;
      const x0 = Math.max(0, Math.min(w - 1, Math.floor(sx)));
      const y0 = Math.max(0, Math.min(h - 1, Math.floor(sy)));
      const x1 = Math.min(w - 1, x0 + 1);
      const y1 = Math.min(h - 1, y0 + 1);
      const ax = Math.max(0, Math.min(1, sx - x0));
      const ay = Math.max(0, Math.min(1, sy - y0));
      const w00 = (1 - ax) * (1 - ay);
      const w01 = ax * (1 - ay);
      const w10 = (1 - ax) * ay;
      const w11 = ax * ay;
      const i00 = y0 * w + x0;
      const i01 = y0 * w + x1;
      const i10 = y1 * w + x0;
      const i11 = y1 * w + x1;
      for (let c = 0; c < 3; c++) {
        const v =
          w00 * (src[i00 * 3 + c] ?? 0) +
          w01 * (src[i01 * 3 + c] ?? 0) +
          w10 * (src[i10 * 3 + c] ?? 0) +
          w11 * (src[i11 * 3 + c] ?? 0);
        image[o * 3 + c] = Math.round(v);
      }
      const m =
        w00 * (srcMask[i00] ?? 0) + w01 * (srcMask[i01] ?? 0) + w10 * (srcMask[i10] ?? 0) + w11 * (srcMask[i11] ?? 0);
      mask[o] = inside && Math.round(m * 255) >= 128 ? 1 : 0;
    }
  }
  if (plan.contrast !== 1 || plan.brightness !== 0) adjustColour(image, plan.contrast, plan.brightness);
  if (plan.grayscale) toGrayscale(image);
  return { image: { width: w, height: h, data: image }, mask: { width: w, height: h, data: mask } };
}

function adjustColour(data: Uint8Array, contrast: number, brightness: number): void {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i] ?? 0;
  const mean = sum / Math.max(1, data.length);
  for (let i = 0; i < data.length; i++) {
    const v = ((data[i] ?? 0) - mean) * contrast + mean + brightness;
    data[i] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
  }
}

function toGrayscale(data: Uint8Array): void {
  for (let i = 0; i < data.length; i += 3) {
    const y = Math.round(0.299 * (data[i] ?? 0) + 0.587 * (data[i + 1] ?? 0) + 0.114 * (data[i + 2] ?? 0));
    data[i] = y;
    data[i + 1] = y;
    data[i + 2] = y;
  }
}
