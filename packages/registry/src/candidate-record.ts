import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '@wms/core';

/** The parts of a model directory's metrics.json that the gate and promotion read. */
export interface CandidateRecord {
  runId: string | null;
  createdAt: string | undefined;
  /** Validation + test ids: the pairs both models are scored on. */
  heldOutIds: string[];
  trainCount: number | undefined;
}

/**
 * Reads `<modelDir>/metrics.json` as the model package writes it (run-record.ts). The gate needs
 * the split; promotion only reads what is there (run id, dates, counts) for provenance.
 */
export async function readCandidateRecord(
  modelDir: string,
  options: { requireSplit: boolean } = { requireSplit: true },
): Promise<CandidateRecord> {
  const file = join(modelDir, 'metrics.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await fsp.readFile(file, 'utf8'));
  } catch (error) {
    throw new UserError(`Cannot read the candidate's ${file}: ${(error as Error).message}.`, {
      hint: "Point 'model-dir' at the train stage's output directory (model.json, weights.bin, metrics.json).",
      cause: error,
    });
  }
  const record = raw as {
    runId?: unknown;
    createdAt?: unknown;
    split?: { train?: unknown; validation?: unknown; test?: unknown };
  };
  const ids = (v: unknown): string[] | undefined =>
    Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  const validation = ids(record.split?.validation);
  const test = ids(record.split?.test);
  if ((!validation || !test) && options.requireSplit) {
    throw new UserError(`${file} has no split.validation / split.test id lists.`, {
      hint: 'The quality gate scores both models on the candidate’s held-out pairs; retrain with the current train stage.',
    });
  }
  return {
    runId: typeof record.runId === 'string' ? record.runId : null,
    createdAt: typeof record.createdAt === 'string' ? record.createdAt : undefined,
    heldOutIds: [...(validation ?? []), ...(test ?? [])],
    trainCount: ids(record.split?.train)?.length,
  };
}
