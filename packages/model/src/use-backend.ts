/**
 * The training backend for a run, chosen by @wms/tfjs-runtime's `selectBackend` (tfjs-node,
 * then wasm with this project's gradient kernels, then cpu). Re-exported under the names the
 * rest of the model package uses.
 */
import { BACKEND_NAMES, selectBackend, type BackendInfo, type BackendName } from '@wms/tfjs-runtime';
import * as tf from '@tensorflow/tfjs';
import { silentLogger, type Logger } from '@wms/core';

export type BackendPreference = BackendName | 'auto';
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', ...BACKEND_NAMES];
export type ActiveBackend = BackendInfo;

export async function activateBackend(preference: BackendPreference, logger: Logger): Promise<ActiveBackend> {
  return selectBackend(preference, logger);
}

/**
 * For entry points that may run first in a process (the gate's `evaluateModelDir`, `wms predict`):
 * picks a backend through `selectBackend('auto')` unless one is already active, because tfjs
 * would otherwise try to start the wasm backend without its file paths.
 */
export async function ensureBackend(logger: Logger = silentLogger): Promise<void> {
  if (tf.engine().backendName) return;
  await selectBackend('auto', logger);
}
