import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '@wms/core';

/**
 * The binaries tfjs-backend-wasm loads at run time under Node (the threaded build is never used:
 * tfjs turns wasm multi-threading off under Node). A bundled action must ship these beside dist/.
 */
export const WASM_BINARY_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'] as const;

/** Env variable naming the folder holding WASM_BINARY_FILES (used when no option is given). */
export const WASM_DIR_ENV = 'WMS_TFJS_WASM_DIR';

/**
 * Where the .wasm files are: the explicit option, else $WMS_TFJS_WASM_DIR, else the folder of this
 * file when they sit beside it (a bundle), else the installed package's dist/ folder.
 */
export function resolveWasmDir(explicitDir?: string): string {
  const requested = explicitDir ?? process.env[WASM_DIR_ENV];
  if (requested) {
    assertWasmFiles(requested, explicitDir ? 'the wasmDir option' : `$${WASM_DIR_ENV}`);
    return requested;
  }
  for (const candidate of defaultWasmDirs()) {
    if (WASM_BINARY_FILES.every((file) => existsSync(join(candidate, file)))) return candidate;
  }
  throw new UserError(`tfjs wasm binaries (${WASM_BINARY_FILES.join(', ')}) were not found.`, {
    hint: `Set ${WASM_DIR_ENV} (or the wasmDir option) to a folder containing them; searched ${defaultWasmDirs().join(', ')}.`,
  });
}

function defaultWasmDirs(): string[] {
  // A bundle's own copies first: they match the tfjs version inlined into it.
  const dirs = [__dirname];
  try {
    dirs.push(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'));
  } catch {
    // Bundled without node_modules: only the copies beside the bundle exist.
  }
  return dirs;
}

function assertWasmFiles(dir: string, source: string): void {
  const missing = WASM_BINARY_FILES.filter((file) => !existsSync(join(dir, file)));
  if (missing.length > 0) {
    throw new UserError(`${source} points at '${dir}', which lacks ${missing.join(', ')}.`, {
      hint: `Point it at a folder holding ${WASM_BINARY_FILES.join(' and ')} (from @tensorflow/tfjs-backend-wasm/dist).`,
    });
  }
}

/** setWasmPaths wants a prefix ending in a separator. */
export function asWasmPrefix(dir: string): string {
  return dir.endsWith('/') || dir.endsWith('\\') ? dir : `${dir}/`;
}
