import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { UserError } from '@wms/core';

/** Env variable with the path of the worker entry, for bundles that emit it elsewhere. */
export const DATA_PARALLEL_WORKER_ENV = 'WMS_DATA_PARALLEL_WORKER';

/** File name a bundler must emit beside the main bundle (built from data-parallel-worker.ts). */
export const DATA_PARALLEL_WORKER_FILE = 'data-parallel-worker.js';

/**
 * Finds the worker entry: the explicit option, $WMS_DATA_PARALLEL_WORKER, the compiled
 * `data-parallel-worker.js` beside this file (a bundle's dist/), else the .ts source (tsx, jest).
 */
export function resolveWorkerScript(explicit?: string): string {
  const requested = explicit ?? process.env[DATA_PARALLEL_WORKER_ENV];
  if (requested) {
    if (!existsSync(requested)) {
      throw new UserError(`The data-parallel worker script '${requested}' does not exist.`, {
        hint: `Point ${DATA_PARALLEL_WORKER_ENV} (or the workerScript option) at the emitted ${DATA_PARALLEL_WORKER_FILE}.`,
      });
    }
    return requested;
  }
  const candidates = [join(__dirname, DATA_PARALLEL_WORKER_FILE), join(__dirname, 'data-parallel-worker.ts')];
  const found = candidates.find((path) => existsSync(path));
  if (!found) {
    throw new UserError(`No data-parallel worker script found (looked for ${candidates.join(', ')}).`, {
      hint: `A bundled action must emit ${DATA_PARALLEL_WORKER_FILE} beside its bundle or set ${DATA_PARALLEL_WORKER_ENV}.`,
    });
  }
  return found;
}

/**
 * Starts a worker on `script`. A .ts entry is run through tsx's CommonJS hook (tsx is a dev
 * dependency, present whenever .ts sources are); a .js entry starts directly.
 */
export function startWorker(script: string): Worker {
  if (!script.endsWith('.ts')) return new Worker(script);
  let tsxHook: string;
  try {
    tsxHook = require.resolve('tsx/cjs');
  } catch (error) {
    throw new UserError(`Cannot run the TypeScript worker ${script}: tsx is not installed.`, {
      cause: error,
      hint: `Install dev dependencies, or build and point ${DATA_PARALLEL_WORKER_ENV} at ${DATA_PARALLEL_WORKER_FILE}.`,
    });
  }
  const bootstrap = `require(${JSON.stringify(tsxHook)}); require(${JSON.stringify(script)});`;
  return new Worker(bootstrap, { eval: true });
}
