/**
 * The quality-gate stage's wiring: the real scorer is the model package's evaluateModelDir on
 * the candidate's held-out pairs (validation + test ids from its metrics.json), found in
 * today's dataset, so the candidate and the champion are scored by one function on one set.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError, writeJsonAtomic, type EvaluationResult, type Logger, type ProgressFactory } from '@wms/core';
import { discoverPairs } from '@wms/dataset';
import { activateBackend, evaluateModelDir, loadTrainConfig, type BackendPreference } from '@wms/model';
import {
  readCandidateRecord,
  runQualityGate,
  type GatePolicy,
  type GateResult,
  type ModelRegistry,
} from '@wms/registry';

export interface HeldOutEvaluatorOptions {
  candidateModelDir: string;
  datasetDir: string;
  /** Backend both models are scored on; 'auto' picks the fastest that loads. */
  backend?: BackendPreference;
  logger: Logger;
  progress?: ProgressFactory;
}

export type ModelEvaluator = (modelDir: string) => Promise<EvaluationResult>;

export async function createHeldOutEvaluator(options: HeldOutEvaluatorOptions): Promise<ModelEvaluator> {
  const record = await readCandidateRecord(options.candidateModelDir);
  const { pairs } = await discoverPairs({ root: options.datasetDir });
  const wanted = new Set(record.heldOutIds);
  const heldOut = pairs.filter((p) => wanted.has(p.id));
  if (heldOut.length === 0) {
    throw new UserError(
      `None of the candidate's ${wanted.size} validation/test ids were found in ${options.datasetDir}.`,
      { hint: 'Point the dataset directory at the dataset the candidate was trained on.' },
    );
  }
  if (heldOut.length < wanted.size) {
    options.logger.warning(
      `${wanted.size - heldOut.length} held-out pairs of the candidate are missing from the dataset.`,
    );
  }
  const backend = await activateBackend(options.backend ?? 'auto', options.logger);
  options.logger.info(
    `Scoring on ${heldOut.length} held-out pairs (validation + test) with the ${backend.name} backend.`,
  );
  return (modelDir) => evaluateModelDir(modelDir, heldOut, { progress: options.progress?.() });
}

/** Where the gate finds train.yaml's baseline floors when no config is named (the train stage's convention). */
const WORKSPACE_TRAIN_CONFIG = 'WMS/configs/train.yaml';

/**
 * train.yaml's `baseline.min_dice` / `min_iou`: absolute floors every candidate must reach, read
 * from the named config, else the workspace's WMS/configs/train.yaml; off when unset.
 */
export function readGateFloors(
  workspace: string,
  config: string | undefined,
  logger: Logger,
): Pick<GatePolicy, 'minDice' | 'minIou'> {
  const path = config ? resolve(workspace, config) : resolve(workspace, WORKSPACE_TRAIN_CONFIG);
  if (!config && !existsSync(path)) return { minDice: null, minIou: null };
  const baseline = loadTrainConfig(path).baseline;
  const floors = { minDice: baseline?.min_dice ?? null, minIou: baseline?.min_iou ?? null };
  if (floors.minDice !== null || floors.minIou !== null) {
    logger.info(`Absolute floors from ${path}: Dice ${floors.minDice ?? 'none'}, IoU ${floors.minIou ?? 'none'}`);
  }
  return floors;
}

export interface GateStageOptions {
  model: string;
  candidateModelDir: string;
  datasetDir: string;
  workspace: string;
  /** Training config holding the baseline floors; default: the workspace's WMS/configs/train.yaml, if any. */
  config?: string;
  policy?: Partial<GatePolicy>;
  scratchDir?: string;
  backend?: BackendPreference;
  /** Where gate-result.json (verdict + per-photo scores of both models) is written; none when unset. */
  outputDir?: string;
}

/** The gate stage's file: written beside its outputs so later steps (results comment) can read it. */
export const GATE_RESULT_FILE = 'gate-result.json';

/**
 * gate-result.json: the verdict, both models' means and per-photo scores on the same pairs. The
 * top-level `perImage` is the champion's (empty when there is none or it was not re-scored), so
 * the file is what report-results' `champion-scores` input reads.
 */
export function gateResultFile(result: GateResult): Record<string, unknown> {
  return {
    model: result.model,
    improved: result.improved,
    reason: result.reason,
    championVersion: result.championVersion,
    baselineSource: result.baselineSource,
    evaluatedImages: result.evaluatedImages,
    candidate: { mean: result.candidate, perImage: result.perImage.candidate },
    champion: result.championVersion
      ? { version: result.championVersion, mean: result.baseline, perImage: result.perImage.champion }
      : null,
    perImage: result.perImage.champion ?? [],
  };
}

export interface GateStageResult extends GateResult {
  /** Absolute path of gate-result.json, when an output dir was given. */
  scoresPath?: string;
}

export async function runGateStage(
  options: GateStageOptions,
  deps: {
    registry: ModelRegistry;
    logger: Logger;
    progress?: ProgressFactory;
    makeEvaluator?: typeof createHeldOutEvaluator;
    /** Shown in the gate's notes (e.g. that the registry does not outlive the job). */
    notice?: string;
  },
): Promise<GateStageResult> {
  const candidateModelDir = resolve(options.workspace, options.candidateModelDir);
  const evaluate = await (deps.makeEvaluator ?? createHeldOutEvaluator)({
    candidateModelDir,
    datasetDir: resolve(options.workspace, options.datasetDir),
    backend: options.backend,
    logger: deps.logger,
    progress: deps.progress,
  });
  const policy = { ...readGateFloors(options.workspace, options.config, deps.logger), ...options.policy };
  const result = await runQualityGate(
    { model: options.model, candidateModelDir, policy, scratchDir: options.scratchDir },
    { registry: deps.registry, evaluate, logger: deps.logger },
  );
  if (deps.notice) result.notes.push(deps.notice);
  if (!options.outputDir) return result;
  const scoresPath = join(resolve(options.workspace, options.outputDir), GATE_RESULT_FILE);
  await writeJsonAtomic(scoresPath, gateResultFile(result));
  deps.logger.info(`Per-photo scores of candidate and champion: ${scoresPath}`);
  return { ...result, scoresPath };
}
