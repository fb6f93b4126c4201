/**
 * Wires the real scorer: the model package's evaluateModelDir on the candidate's held-out pairs
 * (validation + test ids from its metrics.json), found in today's dataset. Both the candidate
 * and the champion are scored by the same function on the same pairs.
 */
import type { EvaluationResult, Logger, ProgressFactory } from '@wms/core';
import { UserError } from '@wms/core';
import { discoverPairs } from '@wms/dataset';
import { activateBackend, evaluateModelDir, type BackendPreference } from '@wms/model';
import { readCandidateRecord } from '@wms/registry';

export interface GateEvaluatorOptions {
  candidateModelDir: string;
  datasetDir: string;
  /** One of the model package's BACKEND_PREFERENCES (the action input is limited to them). */
  backend: string;
  logger: Logger;
  progress: ProgressFactory;
}

export async function createGateEvaluator(
  options: GateEvaluatorOptions,
): Promise<(modelDir: string) => Promise<EvaluationResult>> {
  const record = await readCandidateRecord(options.candidateModelDir);
  const { pairs } = await discoverPairs({ root: options.datasetDir });
  const wanted = new Set(record.heldOutIds);
  const heldOut = pairs.filter((p) => wanted.has(p.id));
  if (heldOut.length === 0) {
    throw new UserError(
      `None of the candidate's ${wanted.size} validation/test ids were found in ${options.datasetDir}.`,
      { hint: "Point 'dataset-dir' at the dataset the candidate was trained on." },
    );
  }
  if (heldOut.length < wanted.size) {
    options.logger.warning(
      `${wanted.size - heldOut.length} held-out pairs of the candidate are missing from the dataset.`,
    );
  }
  const backend = await activateBackend(options.backend as BackendPreference, options.logger);
  options.logger.info(
    `Scoring on ${heldOut.length} held-out pairs (validation + test) with the ${backend.name} backend.`,
  );
  return (modelDir) => evaluateModelDir(modelDir, heldOut, { progress: options.progress() });
}
