import type { PromotionResult } from '@wms/registry';
import type { spec } from './spec';

/** The action's outputs; 'none' when there was no previous champion. */
export function promoteOutputs(result: PromotionResult): Record<keyof typeof spec.outputs, string> {
  return {
    version: result.version,
    'previous-version': result.previousVersion ?? 'none',
    'metadata-path': result.metadataPath ?? '',
    'history-path': result.historyPath ?? '',
  };
}
