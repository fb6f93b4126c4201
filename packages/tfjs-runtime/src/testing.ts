/**
 * Helpers for tests that compare backends (`@wms/tfjs-runtime/testing`): seeded inputs, running one
 * computation on cpu or wasm, and a scale-free error. Test code only; no src/ file imports this.
 */
import * as tf from '@tensorflow/tfjs';
import { silentLogger } from '@wms/core';
import { registerCpuKernelFixes } from './cpu-kernels/cpu-kernel-fixes';
import { selectBackend } from './select-backend';
import { silenceTfjsNodeBanner } from './tfjs-banner';

/** Deterministic values in [-1, 1) so cpu and wasm see identical inputs. */
export function seededValues(count: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

let wasmReady = false;

/** Runs `fn` on the named backend and returns its results as plain arrays (tensors freed). */
export async function runOn(backend: 'cpu' | 'wasm', fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  if (backend === 'wasm' && !wasmReady) {
    await selectBackend('wasm', silentLogger);
    wasmReady = true;
  }
  await tf.setBackend(backend);
  if (backend === 'cpu') registerCpuKernelFixes();
  silenceTfjsNodeBanner();
  const tensors = fn();
  const arrays = tensors.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(tensors);
  return arrays;
}

/** max |a−b| relative to max |b| (scale-free comparison of whole tensors). */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let maxDiff = 0;
  let maxRef = 1e-12;
  for (let i = 0; i < actual.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i]! - expected[i]!));
    maxRef = Math.max(maxRef, Math.abs(expected[i]!));
  }
  return maxDiff / maxRef;
}
