/**
 * Seven-segment digits drawn as SVG paths, so rendering never depends on the fonts installed
 * on the machine (librsvg would silently substitute one, and the bytes would differ).
 */

// Segments a–g, each as [x0, y0, x1, y1] in a unit cell (x right, y down); a segment is a
// hexagon drawn along that centre line.
const SEGMENTS: Record<string, readonly [number, number, number, number]> = {
  a: [0.2, 0.1, 0.8, 0.1],
  b: [0.85, 0.14, 0.85, 0.46],
  c: [0.85, 0.54, 0.85, 0.86],
  d: [0.2, 0.9, 0.8, 0.9],
  e: [0.15, 0.54, 0.15, 0.86],
  f: [0.15, 0.14, 0.15, 0.46],
  g: [0.2, 0.5, 0.8, 0.5],
};

const DIGIT_SEGMENTS: readonly string[] = [
  'abcdef',
  'bc',
  'abdeg',
  'abcdg',
  'bcfg',
  'acdfg',
  'acdefg',
  'abc',
  'abcdefg',
  'abcdfg',
];

function round(value: number): string {
  return (Math.round(value * 100) / 100).toString();
}

function segmentPath(segment: readonly [number, number, number, number], x: number, y: number, w: number, h: number) {
  const [sx0, sy0, sx1, sy1] = segment;
  const t = Math.min(w, h) * 0.09; // half thickness
  const x0 = x + sx0 * w;
  const y0 = y + sy0 * h;
  const x1 = x + sx1 * w;
  const y1 = y + sy1 * h;
  const points =
    y0 === y1
      ? [
          [x0, y0],
          [x0 + t, y0 - t],
          [x1 - t, y1 - t],
          [x1, y1],
          [x1 - t, y1 + t],
          [x0 + t, y0 + t],
        ]
      : [
          [x0, y0],
          [x0 + t, y0 + t],
          [x1 + t, y1 - t],
          [x1, y1],
          [x1 - t, y1 - t],
          [x0 - t, y0 + t],
        ];
  return `M${points.map(([px, py]) => `${round(px!)} ${round(py!)}`).join(' L')} Z`;
}

/** The SVG path data of `digit` (0–9) drawn in the box (x, y, w, h). */
export function sevenSegmentPath(digit: number, x: number, y: number, w: number, h: number): string {
  const segments = DIGIT_SEGMENTS[digit];
  if (segments === undefined) throw new RangeError(`sevenSegmentPath: digit must be 0-9, got ${digit}`);
  return [...segments].map((name) => segmentPath(SEGMENTS[name]!, x, y, w, h)).join(' ');
}
