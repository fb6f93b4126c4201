import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { UserError, type Logger } from '@wms/core';
import { loadTfjsNode } from './tfjs-node-loader';
import { asWasmPrefix, resolveWasmDir } from './wasm-files';
import { registerCpuKernelFixes } from './cpu-kernels/cpu-kernel-fixes';
import { registerWasmTrainingKernels } from './wasm-kernels/register-training-kernels';
import { silenceTfjsNodeBanner } from './tfjs-banner';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** Which backend trains, why, with how many threads per process, and its version (recorded with the run). */
export interface BackendInfo {
  name: BackendName;
  reason: string;
  threads: number;
  version: string;
}

export interface SelectBackendOptions {
  /** Folder with the tfjs .wasm binaries; default $WMS_TFJS_WASM_DIR, then the installed package. */
  wasmDir?: string;
}

type Attempt = { ok: true; info: BackendInfo } | { ok: false; reason: string };

/**
 * Picks the training backend: 'auto' tries tfjs-node (native TensorFlow), then wasm (with this
 * project's training kernels), then the pure-JS cpu backend; a named preference forces that one
 * and fails with a UserError saying why it could not load.
 */
export async function selectBackend(
  preference: BackendName | 'auto',
  logger: Logger,
  opts: SelectBackendOptions = {},
): Promise<BackendInfo> {
  if (preference !== 'auto' && !BACKEND_NAMES.includes(preference)) {
    throw new UserError(`Unknown backend '${String(preference)}'.`, {
      hint: `Use one of: auto, ${BACKEND_NAMES.join(', ')}.`,
    });
  }
  silenceTfjsNodeBanner();
  const order = preference === 'auto' ? BACKEND_NAMES : [preference];
  const skipped: string[] = [];
  for (const name of order) {
    const attempt = await tryBackend(name, opts);
    if (attempt.ok) {
      const reason =
        preference === 'auto' ? [...skipped, attempt.info.reason].join('; ') : `forced: ${attempt.info.reason}`;
      const info = { ...attempt.info, reason };
      logger.info(
        `Training backend: ${info.name} ${info.version}, ${info.threads} thread(s) per process (${info.reason})`,
      );
      return info;
    }
    logger.debug(`backend ${name} unavailable: ${attempt.reason}`);
    if (preference !== 'auto') {
      throw new UserError(`The '${name}' training backend could not be loaded: ${attempt.reason}`, {
        hint: `Choose another backend (auto, ${BACKEND_NAMES.join(', ')}) or fix the cause above.`,
      });
    }
    skipped.push(`${name} unavailable (${attempt.reason})`);
  }
  throw new Error('the cpu backend failed to initialise; tfjs is broken');
}

async function tryBackend(name: BackendName, opts: SelectBackendOptions): Promise<Attempt> {
  switch (name) {
    case 'tensorflow':
      return tryTensorflow();
    case 'wasm':
      return tryWasm(opts.wasmDir);
    case 'cpu':
      if (!(await activate('cpu'))) return { ok: false, reason: 'tf.setBackend("cpu") failed' };
      registerCpuKernelFixes();
      return { ok: true, info: { name, reason: 'pure-JS cpu backend', threads: 1, version: tf.version_core } };
  }
}

async function tryTensorflow(): Promise<Attempt> {
  const load = loadTfjsNode();
  if (!load.loaded) return { ok: false, reason: load.reason };
  if (!tf.findBackend('tensorflow')) {
    return { ok: false, reason: '@tensorflow/tfjs-node loaded but registered no tensorflow backend with this tfjs' };
  }
  if (!(await activate('tensorflow'))) return { ok: false, reason: 'tf.setBackend("tensorflow") failed' };
  const threads = availableParallelism();
  return {
    ok: true,
    info: { name: 'tensorflow', reason: 'native TensorFlow via @tensorflow/tfjs-node', threads, version: load.version },
  };
}

let wasmPathSet: string | undefined;

async function tryWasm(wasmDir: string | undefined): Promise<Attempt> {
  let dir: string;
  try {
    dir = resolveWasmDir(wasmDir);
  } catch (error) {
    if (wasmDir !== undefined) throw error;
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  // The paths are read once, when the backend first initialises; later calls reuse it.
  if (wasmPathSet === undefined) {
    setWasmPaths(asWasmPrefix(dir));
    wasmPathSet = dir;
  }
  if (!(await activate('wasm')))
    return { ok: false, reason: `the wasm backend failed to initialise from ${wasmPathSet}` };
  registerWasmTrainingKernels();
  // Under Node tfjs never enables wasm threads (tfjs issue 3830): use data-parallel workers for more cores.
  return {
    ok: true,
    info: {
      name: 'wasm',
      reason: `tfjs-backend-wasm (XNNPACK) from ${wasmPathSet}`,
      threads: 1,
      version: version_wasm,
    },
  };
}

async function activate(name: string): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}
