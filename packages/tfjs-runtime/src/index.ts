/**
 * @wms/tfjs-runtime: training TF.js models under Node when native TensorFlow may be missing.
 * Picks the backend (tfjs-node, else wasm with this package's gradient kernels, else cpu with its
 * kernel fixes), silences tfjs's install banner, and trains a model in data-parallel worker
 * threads. It knows nothing of the model being trained (decisions: docs/decisions/training-backends.md).
 */
export {
  selectBackend,
  BACKEND_NAMES,
  type BackendName,
  type BackendInfo,
  type SelectBackendOptions,
} from './select-backend';
export { silenceTfjsNodeBanner } from './tfjs-banner';
export { WASM_BINARY_FILES, WASM_DIR_ENV, resolveWasmDir } from './wasm-files';
export { TFJS_NODE_PACKAGE, TFJS_NODE_DIR_ENV, loadTfjsNode } from './tfjs-node-loader';
export { registerWasmTrainingKernels, SUPPLIED_WASM_KERNELS } from './wasm-kernels/register-training-kernels';
export { registerCpuKernelFixes } from './cpu-kernels/cpu-kernel-fixes';
export {
  createDataParallelTrainer,
  type DataParallelTrainer,
  type DataParallelTrainerOptions,
} from './data-parallel/data-parallel-trainer';
export type { BuiltinLossName, LossModuleRef, OptimizerConfig, TensorBatch } from './data-parallel/protocol';
export { ModelReplica, describeModel, createOptimizer, isKernelWeight } from './data-parallel/model-replica';
export { resolveTrainingLoss, type TrainingLoss } from './data-parallel/training-losses';
export { splitBatch, validateBatch } from './data-parallel/batch-shards';
export {
  DATA_PARALLEL_WORKER_ENV,
  DATA_PARALLEL_WORKER_FILE,
  resolveWorkerScript,
} from './data-parallel/worker-launcher';
