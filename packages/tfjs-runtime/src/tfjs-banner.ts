import * as tf from '@tensorflow/tfjs';

/**
 * tfjs's cpu backend prints "Hi, looks like you are running TensorFlow.js in Node.js…" (advice to
 * install tfjs-node) into the user's log the first time it stores a tensor under Node. The
 * backend actually chosen, and why tfjs-node was not, is logged by selectBackend instead, so the
 * banner is turned off by clearing the backend's `firstUse` flag (its only effect). Idempotent;
 * called by selectBackend, which every process and worker thread goes through.
 */
export function silenceTfjsNodeBanner(): void {
  // findBackend creates the (cheap, synchronous) cpu backend if it does not exist yet.
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}
