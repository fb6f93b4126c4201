/**
 * One synthetic water-meter photo as SVG: cluttered background, pipes, a dial with a digit
 * window (7-segment digits), pointer dials and lighting; plus the mask SVG, which is exactly
 * the window rectangle under the same transform. Pure: the same Random gives the same scene.
 */
import type { Random } from './random';
import { sevenSegmentPath } from './seven-segment';

/** The digit window: a ww×wh rectangle centred at (0, offsetY) in the meter's frame, which is
 * rotated by `angleDeg` and translated to (cx, cy) in the image. */
export interface WindowGeometry {
  cx: number;
  cy: number;
  angleDeg: number;
  offsetY: number;
  width: number;
  height: number;
}

export interface MeterScene {
  imageSvg: string;
  window: WindowGeometry;
  /** Window area / image area, before anti-aliasing (about 2.5–8 %). */
  windowFraction: number;
  /** Photo post-processing for sharp. */
  blurSigma: number;
  noiseAmplitude: number;
  brightness: number;
  jpegQuality: number;
}

const r2 = (v: number): string => (Math.round(v * 100) / 100).toString();

function grey(random: Random, min: number, max: number): string {
  const v = random.int(min, max);
  const tint = random.int(-12, 12);
  return `rgb(${clamp(v + tint)},${clamp(v)},${clamp(v - tint)})`;
}

function clamp(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

function clutter(random: Random, width: number, height: number): string {
  const shapes: string[] = [];
  const count = random.int(6, 16);
  for (let i = 0; i < count; i++) {
    const x = random.range(-0.1, 1) * width;
    const y = random.range(-0.1, 1) * height;
    const fill = grey(random, 40, 220);
    const opacity = r2(random.range(0.35, 0.9));
    const kind = random.int(0, 3);
    if (kind === 0) {
      shapes.push(
        `<rect x="${r2(x)}" y="${r2(y)}" width="${r2(random.range(0.05, 0.4) * width)}" height="${r2(random.range(0.05, 0.4) * height)}" fill="${fill}" opacity="${opacity}"/>`,
      );
    } else if (kind === 1) {
      shapes.push(
        `<circle cx="${r2(x)}" cy="${r2(y)}" r="${r2(random.range(0.02, 0.12) * width)}" fill="${fill}" opacity="${opacity}"/>`,
      );
    } else if (kind === 2) {
      // A pipe or cable crossing the scene.
      const x2 = random.range(0, 1) * width;
      const y2 = random.range(0, 1) * height;
      shapes.push(
        `<line x1="${r2(x)}" y1="${r2(y)}" x2="${r2(x2)}" y2="${r2(y2)}" stroke="${fill}" stroke-width="${r2(random.range(0.01, 0.06) * width)}" stroke-linecap="round" opacity="${opacity}"/>`,
      );
    } else {
      // Tile grout lines.
      const step = random.range(0.08, 0.2) * width;
      const lines: string[] = [];
      for (let gx = x % step; gx < width; gx += step) lines.push(`M${r2(gx)} 0 V${height}`);
      shapes.push(`<path d="${lines.join(' ')}" stroke="${grey(random, 150, 230)}" stroke-width="2" opacity="0.5"/>`);
    }
  }
  return shapes.join('');
}

function digitWindow(random: Random, ww: number, wh: number): string {
  const cells = random.pick([8, 8, 7, 6]);
  const redCells = cells === 8 ? 3 : cells === 7 ? 2 : random.int(0, 1);
  const pad = wh * 0.12;
  const cellW = (ww - 2 * pad) / cells;
  const cellH = wh - 2 * pad;
  const whiteDigits = random.chance(0.7);
  const parts: string[] = [`<rect x="0" y="0" width="${r2(ww)}" height="${r2(wh)}" fill="${grey(random, 10, 45)}"/>`];
  for (let i = 0; i < cells; i++) {
    const x = pad + i * cellW;
    const red = i >= cells - redCells;
    const cellFill = red
      ? `rgb(${random.int(150, 210)},${random.int(10, 40)},${random.int(10, 40)})`
      : whiteDigits
        ? grey(random, 15, 40)
        : grey(random, 215, 245);
    const digitFill = whiteDigits || red ? grey(random, 215, 250) : grey(random, 10, 40);
    parts.push(
      `<rect x="${r2(x + cellW * 0.06)}" y="${r2(pad)}" width="${r2(cellW * 0.88)}" height="${r2(cellH)}" fill="${cellFill}"/>`,
    );
    const digit = random.int(0, 9);
    // Rolling counters show half-turned digits now and then: shift the digit vertically.
    const roll = random.chance(0.2) ? random.range(-0.25, 0.25) * cellH : 0;
    parts.push(
      `<path d="${sevenSegmentPath(digit, x + cellW * 0.2, pad + cellH * 0.12 + roll, cellW * 0.6, cellH * 0.76)}" fill="${digitFill}"/>`,
    );
  }
  return parts.join('');
}

function pointerDials(random: Random, radius: number): string {
  const dials: string[] = [];
  const count = random.int(0, 4);
  for (let i = 0; i < count; i++) {
    const angle = Math.PI * (0.25 + (0.5 * (i + 0.5)) / Math.max(count, 1));
    const cx = Math.cos(angle) * radius * 0.55;
    const cy = Math.sin(angle) * radius * 0.55;
    const r = radius * 0.1;
    const needle = random.range(0, Math.PI * 2);
    dials.push(
      `<circle cx="${r2(cx)}" cy="${r2(cy)}" r="${r2(r)}" fill="${grey(random, 220, 250)}" stroke="#222" stroke-width="${r2(r * 0.1)}"/>` +
        `<line x1="${r2(cx)}" y1="${r2(cy)}" x2="${r2(cx + Math.cos(needle) * r * 0.9)}" y2="${r2(cy + Math.sin(needle) * r * 0.9)}" stroke="#c01818" stroke-width="${r2(r * 0.18)}"/>`,
    );
  }
  return dials.join('');
}

function ticks(random: Random, radius: number): string {
  const parts: string[] = [];
  const count = random.int(0, 40);
  for (let i = 0; i < count; i++) {
    const a = (i / Math.max(count, 1)) * Math.PI * 2;
    const r0 = radius * 0.9;
    const r1 = radius * 0.97;
    parts.push(`M${r2(Math.cos(a) * r0)} ${r2(Math.sin(a) * r0)} L${r2(Math.cos(a) * r1)} ${r2(Math.sin(a) * r1)}`);
  }
  return count > 0 ? `<path d="${parts.join(' ')}" stroke="#333" stroke-width="${r2(radius * 0.015)}"/>` : '';
}

/** Builds one scene; `width`×`height` is the output size in pixels. */
export function buildMeterScene(random: Random, width: number, height: number): MeterScene {
  const fraction = random.range(0.025, 0.08);
  const aspect = random.range(3.4, 5);
  let ww = Math.sqrt(fraction * width * height * aspect);
  ww = Math.min(ww, width * 0.8, height * 0.8 * aspect);
  const wh = ww / aspect;
  const radius = ww * random.range(0.66, 0.8);
  const angle = random.range(-25, 25);
  const windowOffset = random.range(-0.28, -0.05) * radius;

  // Keep the whole window inside the frame: bound the rotated window's half extent.
  const rad = (angle * Math.PI) / 180;
  const corners = [
    [-ww / 2, windowOffset - wh / 2],
    [ww / 2, windowOffset - wh / 2],
    [-ww / 2, windowOffset + wh / 2],
    [ww / 2, windowOffset + wh / 2],
  ].map(([x, y]) => [x! * Math.cos(rad) - y! * Math.sin(rad), x! * Math.sin(rad) + y! * Math.cos(rad)]);
  const xs = corners.map((c) => c[0]!);
  const ys = corners.map((c) => c[1]!);
  const margin = 0.03 * Math.min(width, height);
  const cx = random.range(margin - Math.min(...xs), width - margin - Math.max(...xs));
  const cy = random.range(margin - Math.min(...ys), height - margin - Math.max(...ys));
  const transform = `translate(${r2(cx)} ${r2(cy)}) rotate(${r2(angle)})`;

  const body = random.pick(['#b08a3c', '#c9a24f', '#8a8f96', '#2f5fa8', '#b83a32', '#d8d8d8']);
  const face = grey(random, 215, 250);
  const pipe = grey(random, 90, 200);
  const light = { x: r2(random.range(0, 1) * 100), y: r2(random.range(0, 1) * 100), o: r2(random.range(0.15, 0.5)) };
  const shadow = r2(random.range(0.2, 0.6));

  const imageSvg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<defs><radialGradient id="light" cx="${light.x}%" cy="${light.y}%" r="75%">` +
    `<stop offset="0" stop-color="#fff" stop-opacity="${light.o}"/><stop offset="1" stop-color="#000" stop-opacity="${shadow}"/></radialGradient>` +
    `<linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${grey(random, 70, 200)}"/><stop offset="1" stop-color="${grey(random, 50, 180)}"/></linearGradient></defs>` +
    `<rect width="100%" height="100%" fill="url(#bg)"/>` +
    clutter(random, width, height) +
    `<g transform="${transform}">` +
    `<rect x="${r2(-radius * 2.2)}" y="${r2(-radius * 0.22)}" width="${r2(radius * 4.4)}" height="${r2(radius * 0.44)}" fill="${pipe}"/>` +
    `<circle r="${r2(radius * 1.12)}" fill="${body}"/>` +
    `<circle r="${r2(radius)}" fill="${face}" stroke="#444" stroke-width="${r2(radius * 0.02)}"/>` +
    ticks(random, radius) +
    pointerDials(random, radius) +
    `<g transform="translate(${r2(-ww / 2)} ${r2(windowOffset - wh / 2)})">${digitWindow(random, ww, wh)}</g>` +
    `<rect x="${r2(-ww * 0.3)}" y="${r2(windowOffset - wh * 1.3)}" width="${r2(ww * 0.6)}" height="${r2(wh * 0.18)}" fill="#555" opacity="0.6"/>` +
    `</g>` +
    `<rect width="100%" height="100%" fill="url(#light)"/>` +
    `</svg>`;

  return {
    imageSvg,
    window: { cx, cy, angleDeg: angle, offsetY: windowOffset, width: ww, height: wh },
    windowFraction: (ww * wh) / (width * height),
    blurSigma: random.chance(0.3) ? 0 : random.range(0.3, 1.6) * Math.max(1, Math.min(width, height) / 512),
    noiseAmplitude: random.range(4, 18),
    brightness: random.range(0.75, 1.2),
    jpegQuality: random.int(80, 94),
  };
}
