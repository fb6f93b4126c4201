import { formatDelta, formatNumber, UserError, type ImageScore } from '@wms/core';
import type { SegmentationMetrics } from '../types';
import { pairedBootstrapDice, type BootstrapResult } from './paired-bootstrap';

export interface GatePolicy {
  /** Smallest Dice gain that counts (the seed: any gain, i.e. 0). */
  minDiceDelta: number;
  minIouDelta: number;
  /** Also require a paired bootstrap over per-image Dice to show the gain is not noise. */
  requireSignificance: boolean;
  confidence: number;
  bootstrapSamples: number;
  seed: number;
  /**
   * Absolute floors every candidate must also reach, champion or not (train.yaml's
   * baseline.min_dice / min_iou); null: off.
   */
  minDice: number | null;
  minIou: number | null;
}

export const DEFAULT_GATE_POLICY: GatePolicy = {
  minDiceDelta: 0,
  minIouDelta: 0,
  requireSignificance: false,
  confidence: 0.95,
  bootstrapSamples: 2000,
  seed: 42,
  minDice: null,
  minIou: null,
};

export interface GateScores {
  mean: SegmentationMetrics;
  /** Needed only for the significance test. */
  perImage?: readonly ImageScore[];
}

export interface PromotionDecision {
  improved: boolean;
  reason: string;
  delta: SegmentationMetrics;
  /** Zeros when there is no champion yet. */
  baseline: SegmentationMetrics;
  significance?: BootstrapResult;
}

function assertMetric(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new UserError(`${what} is ${String(value)}; expected a number between 0 and 1. Refusing to compare.`, {
      hint: 'A NaN or missing metric means evaluation failed; check the evaluation step and the validation pairs.',
    });
  }
  return value;
}

function validatePolicy(policy: GatePolicy): void {
  for (const [name, v] of [
    ['minDiceDelta', policy.minDiceDelta],
    ['minIouDelta', policy.minIouDelta],
  ] as const) {
    if (!Number.isFinite(v) || v < 0 || v > 1) throw new UserError(`Gate policy ${name} is ${v}; expected 0..1.`);
  }
  for (const [name, v] of [
    ['minDice', policy.minDice],
    ['minIou', policy.minIou],
  ] as const) {
    if (v !== null && !(Number.isFinite(v) && v >= 0 && v <= 1)) {
      throw new UserError(`Gate floor ${name} is ${v}; expected a number from 0 to 1, or none.`);
    }
  }
  if (!(policy.confidence > 0 && policy.confidence < 1)) {
    throw new UserError(`Gate confidence is ${policy.confidence}; expected a number strictly between 0 and 1.`);
  }
  if (!Number.isInteger(policy.bootstrapSamples) || policy.bootstrapSamples < 100) {
    throw new UserError(`Gate bootstrap samples is ${policy.bootstrapSamples}; expected an integer >= 100.`);
  }
}

/**
 * The promotion rule, as the seed defines it: improved iff candidate Dice > baseline Dice AND
 * candidate IoU > baseline IoU (each by at least its minimum delta). With no champion the
 * baseline is 0. Pure: same scores and policy, same verdict.
 */
export function decidePromotion(
  candidate: GateScores,
  baseline: GateScores | null,
  policyOverrides: Partial<GatePolicy> = {},
): PromotionDecision {
  const policy: GatePolicy = { ...DEFAULT_GATE_POLICY, ...policyOverrides };
  validatePolicy(policy);
  const cand = {
    dice: assertMetric(candidate.mean?.dice, 'Candidate Dice'),
    iou: assertMetric(candidate.mean?.iou, 'Candidate IoU'),
  };
  const base = baseline
    ? {
        dice: assertMetric(baseline.mean?.dice, 'Baseline Dice'),
        iou: assertMetric(baseline.mean?.iou, 'Baseline IoU'),
      }
    : { dice: 0, iou: 0 };
  const delta = { dice: cand.dice - base.dice, iou: cand.iou - base.iou };
  const diceOk = delta.dice > 0 && delta.dice >= policy.minDiceDelta;
  const iouOk = delta.iou > 0 && delta.iou >= policy.minIouDelta;
  const what = baseline ? 'the champion' : 'baseline 0 (no champion yet)';
  const belowFloor = [
    policy.minDice !== null && cand.dice < policy.minDice ? `Dice ${formatNumber(cand.dice)} < ${policy.minDice}` : '',
    policy.minIou !== null && cand.iou < policy.minIou ? `IoU ${formatNumber(cand.iou)} < ${policy.minIou}` : '',
  ].filter(Boolean);
  if (belowFloor.length > 0) {
    return {
      improved: false,
      reason: `Below the absolute floor every candidate must reach: ${belowFloor.join(' and ')} (baseline.min_dice / min_iou).`,
      delta,
      baseline: base,
    };
  }
  const deltas = `Dice ${formatNumber(cand.dice)} (${formatDelta(delta.dice)}), IoU ${formatNumber(cand.iou)} (${formatDelta(delta.iou)})`;

  if (!diceOk || !iouOk) {
    const failed = [
      diceOk
        ? ''
        : `Dice ${formatDelta(delta.dice)}${policy.minDiceDelta > 0 ? ` (needs ≥ +${policy.minDiceDelta})` : ''}`,
      iouOk ? '' : `IoU ${formatDelta(delta.iou)}${policy.minIouDelta > 0 ? ` (needs ≥ +${policy.minIouDelta})` : ''}`,
    ].filter(Boolean);
    return {
      improved: false,
      reason: `Not improved over ${what}: ${failed.join(' and ')}; both Dice and IoU must increase.`,
      delta,
      baseline: base,
    };
  }
  if (!policy.requireSignificance || !baseline) {
    return { improved: true, reason: `Improved over ${what}: ${deltas}.`, delta, baseline: base };
  }
  if (!candidate.perImage?.length || !baseline.perImage?.length) {
    return {
      improved: false,
      reason:
        'Significance was required but per-image scores of both models are not available (the champion could not be re-evaluated).',
      delta,
      baseline: base,
    };
  }
  candidate.perImage.forEach((s) => assertMetric(s.dice, `Candidate Dice of image ${s.id}`));
  baseline.perImage.forEach((s) => assertMetric(s.dice, `Baseline Dice of image ${s.id}`));
  const significance = pairedBootstrapDice(candidate.perImage, baseline.perImage, {
    confidence: policy.confidence,
    samples: policy.bootstrapSamples,
    seed: policy.seed,
  });
  const ci = `${Math.round(policy.confidence * 100)}% lower bound of the per-image Dice gain ${formatDelta(significance.lowerBound)} over ${significance.pairedImages} paired images`;
  return significance.significant
    ? {
        improved: true,
        reason: `Improved over ${what}: ${deltas}; significant (${ci}).`,
        delta,
        baseline: base,
        significance,
      }
    : {
        improved: false,
        reason: `Gain not significant: ${deltas}, but the ${ci} is not above 0.`,
        delta,
        baseline: base,
        significance,
      };
}
