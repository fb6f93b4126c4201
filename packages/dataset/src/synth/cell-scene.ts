/**
 * One synthetic cell-microscopy image and its mask, the opposite of a water meter: many touching
 * cells that cover most of the image (~55–80% foreground), separated by thin membranes (2–3.5 px
 * of background in the mask), with a few gaps of extracellular background. Cells are an
 * additively weighted Voronoi tessellation of jittered grid points (irregular sizes); the photo
 * shows light textured interiors with darker nuclei, dark membranes a little wider than the
 * mask's boundary, blur and sensor noise. Rendered straight into pixels (no SVG): the nearest
 * two cells of each pixel are found among the 5×5 grid cells around it. Pure: the same Random
 * gives the same pair.
 */
import type { Random } from './random';

export interface CellScene {
  /** RGB, row-major, width × height × 3. */
  image: Buffer;
  /** 0/255, width × height. */
  mask: Buffer;
  foregroundFraction: number;
  blurSigma: number;
  jpegQuality: number;
}

interface Cell {
  x: number;
  y: number;
  /** Additive weight: larger cells claim more of their neighbours' space. */
  weight: number;
  /** Missing cells leave extracellular background. */
  present: boolean;
  tone: number;
  nucleus: number;
  phase: number;
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

export function buildCellScene(random: Random, width: number, height: number): CellScene {
  const spacing = Math.max(16, random.range(32, 56) * Math.sqrt((width * height) / (512 * 384)));
  const cols = Math.ceil(width / spacing) + 2;
  const rows = Math.ceil(height / spacing) + 2;
  const missingShare = random.range(0.05, 0.2);
  const boundary = random.range(2, 3.5);
  const membrane = boundary + random.range(0.5, 1.5);
  const cells: Cell[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      cells.push({
        x: (c - 1 + random.range(0.1, 0.9)) * spacing,
        y: (r - 1 + random.range(0.1, 0.9)) * spacing,
        weight: random.range(0, 0.25) * spacing,
        present: !random.chance(missingShare),
        tone: random.range(150, 225),
        nucleus: random.range(0.18, 0.35) * spacing,
        phase: random.range(0, Math.PI * 2),
      });
    }
  }
  const hue = { r: random.range(0.9, 1.05), g: random.range(0.8, 0.95), b: random.range(0.9, 1.1) };
  const membraneTone = random.range(35, 80);
  const backgroundTone = random.range(90, 130);
  const image = Buffer.alloc(width * height * 3);
  const mask = Buffer.alloc(width * height);
  let foreground = 0;
  for (let y = 0; y < height; y++) {
    const gy = Math.floor(y / spacing) + 1;
    for (let x = 0; x < width; x++) {
      const gx = Math.floor(x / spacing) + 1;
      let d1 = Infinity;
      let d2 = Infinity;
      let nearest: Cell | undefined;
      for (let r = Math.max(0, gy - 2); r <= Math.min(rows - 1, gy + 2); r++) {
        for (let c = Math.max(0, gx - 2); c <= Math.min(cols - 1, gx + 2); c++) {
          const cell = cells[r * cols + c]!;
          const d = Math.hypot(x + 0.5 - cell.x, y + 0.5 - cell.y) - cell.weight;
          if (d < d1) {
            d2 = d1;
            d1 = d;
            nearest = cell;
          } else if (d < d2) d2 = d;
        }
      }
      const gap = d2 - d1;
      const inside = nearest !== undefined && nearest.present && d1 < spacing * 0.8;
      const isForeground = inside && gap >= boundary;
      const i = y * width + x;
      if (isForeground) {
        mask[i] = 255;
        foreground++;
      }
      let tone: number;
      if (!inside) tone = backgroundTone;
      else {
        const centre = d1 + nearest!.weight;
        const texture = 8 * Math.sin(x * 0.45 + nearest!.phase) * Math.cos(y * 0.38 - nearest!.phase);
        tone = nearest!.tone + texture;
        if (centre < nearest!.nucleus) tone -= 55 * (1 - (centre / nearest!.nucleus) ** 2);
        // The membrane darkens smoothly towards the bisector; a little wider than the mask's gap.
        if (gap < membrane) tone = membraneTone + (tone - membraneTone) * (gap / membrane) ** 2;
      }
      image[i * 3] = clampByte(tone * hue.r);
      image[i * 3 + 1] = clampByte(tone * hue.g);
      image[i * 3 + 2] = clampByte(tone * hue.b);
    }
  }
  const noise = random.range(4, 14);
  for (let i = 0; i < image.length; i += 3) {
    const n = (random.next() + random.next() - 1) * noise;
    for (let c = 0; c < 3; c++) image[i + c] = clampByte(image[i + c]! + n);
  }
  return {
    image,
    mask,
    foregroundFraction: foreground / (width * height),
    blurSigma: random.range(0.3, 1),
    jpegQuality: random.int(80, 95),
  };
}
