import type { GateResult } from '@wms/registry';
import type { spec } from './spec';

/** The action's outputs from a gate result; 'none' stands for no champion (promote reads it back). */
export function gateOutputs(
  r: GateResult,
): Record<Exclude<keyof typeof spec.outputs, 'scores-path'>, string | number | boolean> {
  return {
    improved: r.improved,
    'baseline-dice': r.baseline.dice,
    'baseline-iou': r.baseline.iou,
    'candidate-dice': r.candidate.dice,
    'candidate-iou': r.candidate.iou,
    reason: r.reason,
    'champion-version': r.championVersion ?? 'none',
    'baseline-source': r.baselineSource,
  };
}
