import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvaluationResult } from '@wms/core';

export async function makeTempDir(prefix = 'wms-registry-'): Promise<string> {
  return fsp.mkdtemp(join(tmpdir(), prefix));
}

/**
 * A model directory shaped like the model package's output. `quality` is written into
 * model.json so a fake `evaluate` can score the model it is given without real inference.
 */
export async function makeModelDir(
  root: string,
  name: string,
  quality: { dice: number; iou: number },
): Promise<string> {
  const dir = join(root, name);
  await fsp.mkdir(dir, { recursive: true });
  await fsp.writeFile(join(dir, 'model.json'), JSON.stringify({ format: 'test-unet', quality }));
  await fsp.writeFile(join(dir, 'weights.bin'), Buffer.from([1, 2, 3, 4, name.length]));
  await fsp.writeFile(join(dir, 'metrics.json'), JSON.stringify({ mean: quality }));
  return dir;
}

/** Per-image scores around `quality`, deterministic, for `count` images. */
export function scoresAround(quality: { dice: number; iou: number }, count: number, spread = 0.05): EvaluationResult {
  const perImage = Array.from({ length: count }, (_, i) => {
    const wobble = (((i * 37) % 11) / 10 - 0.5) * spread;
    return { id: `img-${i}`, dice: quality.dice + wobble, iou: quality.iou + wobble };
  });
  const mean = (k: 'dice' | 'iou'): number => perImage.reduce((s, p) => s + p[k], 0) / count;
  return { perImage, mean: { dice: mean('dice'), iou: mean('iou') }, count, threshold: 0.5 };
}

/** A fake `evaluate` that reads the quality written by makeModelDir (and fails like a broken model otherwise). */
export function fakeEvaluate(count = 20): (modelDir: string) => Promise<EvaluationResult> {
  return async (modelDir) => {
    const model = JSON.parse(await fsp.readFile(join(modelDir, 'model.json'), 'utf8')) as {
      quality: { dice: number; iou: number };
    };
    return scoresAround(model.quality, count);
  };
}
