import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFailure, UserError, type EvaluationResult, type ImageScore, type Logger } from '@wms/core';
import type { ChampionInfo, ModelRegistry, SegmentationMetrics } from '../types';
import { decidePromotion, type GatePolicy, type GateScores, type PromotionDecision } from './decide-promotion';

export interface QualityGateOptions {
  model: string;
  /** The freshly trained model directory (model.json, weights.bin, metrics.json). */
  candidateModelDir: string;
  policy?: Partial<GatePolicy>;
  /** Parent folder for the champion's downloaded artifacts; the OS temp dir by default. */
  scratchDir?: string;
}

export interface QualityGateDeps {
  registry: ModelRegistry;
  /** Scores a model directory on the candidate's current validation+test pairs. */
  evaluate: (modelDir: string) => Promise<EvaluationResult>;
  logger: Logger;
}

export type BaselineSource = 'none' | 're-evaluated' | 'recorded';

export interface GateResult {
  model: string;
  improved: boolean;
  reason: string;
  candidate: SegmentationMetrics;
  /** Zeros when there is no champion. */
  baseline: SegmentationMetrics;
  /** The champion compared against; promotion must still find it in place (null: none). */
  championVersion: string | null;
  baselineSource: BaselineSource;
  evaluatedImages: number;
  decision: PromotionDecision;
  /** The absolute floors applied (null: off), for the summary. */
  floors: { dice: number | null; iou: number | null };
  /** Things a reviewer should know (fallbacks, skipped checks). */
  notes: string[];
  /**
   * Per-photo scores on the same held-out pairs: the candidate's, and the champion's when it was
   * re-evaluated (null: no champion, or only its recorded means were available).
   */
  perImage: { candidate: ImageScore[]; champion: ImageScore[] | null };
}

/**
 * Re-scores the champion on the same pairs as the candidate, so both are judged on today's data;
 * when its artifacts cannot be fetched or loaded, falls back to the metrics it was registered with.
 */
async function championBaseline(
  champion: ChampionInfo,
  deps: QualityGateDeps,
  scratchDir: string,
  notes: string[],
): Promise<{ scores: GateScores; source: BaselineSource }> {
  const dir = await fsp.mkdtemp(join(scratchDir, `wms-champion-${champion.version}-`));
  try {
    await deps.registry.downloadArtifacts(champion.model, champion.version, dir);
    const result = await deps.evaluate(dir);
    return { scores: { mean: result.mean, perImage: result.perImage }, source: 're-evaluated' };
  } catch (error) {
    const why = describeFailure(error).split('\n')[0];
    if (!champion.metrics) {
      throw new UserError(
        `Champion ${champion.model} version ${champion.version} could not be re-evaluated (${why}) and has no recorded metrics to fall back to.`,
        { hint: 'Check the registry artifacts of the champion, or promote manually after review.', cause: error },
      );
    }
    const note = `Champion version ${champion.version} could not be re-evaluated (${why}); compared against its recorded metrics instead, which were measured on older data.`;
    deps.logger.warning(note);
    notes.push(note);
    return { scores: { mean: champion.metrics }, source: 'recorded' };
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

export async function runQualityGate(options: QualityGateOptions, deps: QualityGateDeps): Promise<GateResult> {
  const notes: string[] = [];
  const candidateResult = await deps.logger.group('Evaluate the candidate', () =>
    deps.evaluate(options.candidateModelDir),
  );
  const champion = await deps.registry.getChampion(options.model);
  let baseline: { scores: GateScores; source: BaselineSource } | null = null;
  if (champion) {
    baseline = await deps.logger.group(`Re-evaluate champion version ${champion.version}`, () =>
      championBaseline(champion, deps, options.scratchDir ?? tmpdir(), notes),
    );
  } else {
    notes.push(`${options.model} has no champion yet: this is the first model, compared against baseline 0.`);
  }
  const decision = decidePromotion(
    { mean: candidateResult.mean, perImage: candidateResult.perImage },
    baseline?.scores ?? null,
    options.policy,
  );
  deps.logger.info(decision.reason);
  return {
    model: options.model,
    improved: decision.improved,
    reason: decision.reason,
    candidate: { dice: candidateResult.mean.dice, iou: candidateResult.mean.iou },
    baseline: decision.baseline,
    championVersion: champion?.version ?? null,
    baselineSource: baseline?.source ?? 'none',
    evaluatedImages: candidateResult.count,
    decision,
    floors: { dice: options.policy?.minDice ?? null, iou: options.policy?.minIou ?? null },
    notes,
    perImage: {
      candidate: candidateResult.perImage,
      champion: baseline?.scores.perImage ? [...baseline.scores.perImage] : null,
    },
  };
}
