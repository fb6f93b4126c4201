import type { BackendInfo, BackendName } from '../select-backend';

/**
 * Generic losses every replica understands without loading code. A model's own training loss
 * (e.g. @wms/model's BCE + Dice) is a LossModuleRef, so workers and the main thread run the same code.
 */
export type BuiltinLossName = 'binaryCrossentropy' | 'meanSquaredError';

/**
 * A loss defined in a module the worker can `require` (a .ts file under tsx, a .js file beside a
 * bundle): `export function <exportName>(yTrue: tf.Tensor, yPred: tf.Tensor, options?): tf.Scalar`.
 * `options` (plain data, copied to each worker) is passed as the third argument, so two trainers
 * in one process can use the same module with different settings.
 */
export interface LossModuleRef {
  modulePath: string;
  exportName: string;
  options?: unknown;
}

export interface OptimizerConfig {
  name: 'adam' | 'sgd' | 'rmsprop';
  learningRate: number;
  /** adam only; tfjs defaults otherwise. */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Coupled L2 on weights named '*kernel' (PyTorch `Adam(weight_decay=…)`); default 0. */
  weightDecay?: number;
}

/** Everything a worker needs to become an identical replica; plain data so it crosses threads. */
export interface ReplicaInit {
  modelTopology: string;
  weights: { shape: number[]; values: Float32Array }[];
  loss: BuiltinLossName | LossModuleRef;
  optimizer: OptimizerConfig;
  backend: BackendName | 'auto';
  wasmDir?: string;
}

export interface TensorBatch {
  x: Float32Array;
  xShape: number[];
  y: Float32Array;
  yShape: number[];
}

export type ToWorker =
  | { type: 'init'; id: number; init: ReplicaInit }
  | { type: 'gradients'; id: number; batch: TensorBatch }
  | { type: 'apply'; id: number; gradients: Float32Array; nonTrainable: Float32Array }
  | { type: 'getWeights'; id: number }
  | { type: 'setLearningRate'; id: number; learningRate: number }
  | { type: 'close'; id: number };

export type FromWorker =
  | { type: 'ready'; id: number; backend: BackendInfo; trainableCount: number }
  | { type: 'gradients'; id: number; loss: number; gradients: Float32Array; nonTrainable: Float32Array }
  | { type: 'weights'; id: number; weights: Float32Array[] }
  | { type: 'done'; id: number }
  | { type: 'failed'; id: number; message: string; stack?: string }
  | { type: 'log'; level: 'debug' | 'info' | 'warning'; message: string };
