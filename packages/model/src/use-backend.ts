/**
 * The training backend for a run, chosen by the backend module's `selectBackend` (tfjs-node,
 * then wasm with this project's gradient kernels, then cpu). Re-exported under the names the
 * rest of the model package uses.
 */
import { BACKEND_NAMES, selectBackend, type BackendInfo, type BackendName } from './backend';
import type { Logger } from '@wms/core';

export type BackendPreference = BackendName | 'auto';
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', ...BACKEND_NAMES];
export type ActiveBackend = BackendInfo;

export async function activateBackend(preference: BackendPreference, logger: Logger): Promise<ActiveBackend> {
  return selectBackend(preference, logger);
}
