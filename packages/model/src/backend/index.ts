export {
  selectBackend,
  BACKEND_NAMES,
  type BackendName,
  type BackendInfo,
  type SelectBackendOptions,
} from './select-backend';
export { WASM_BINARY_FILES, WASM_DIR_ENV, resolveWasmDir } from './wasm-files';
export { TFJS_NODE_PACKAGE, TFJS_NODE_DIR_ENV, loadTfjsNode } from './tfjs-node-loader';
export { registerWasmTrainingKernels, SUPPLIED_WASM_KERNELS } from './wasm-kernels/register-training-kernels';
export {
  createDataParallelTrainer,
  type DataParallelTrainer,
  type DataParallelTrainerOptions,
} from './data-parallel/data-parallel-trainer';
export type { BuiltinLossName, LossModuleRef, OptimizerConfig, TensorBatch } from './data-parallel/protocol';
export { ModelReplica, describeModel, createOptimizer } from './data-parallel/model-replica';
export { resolveTrainingLoss, type TrainingLoss } from './data-parallel/training-losses';
export { splitBatch, validateBatch } from './data-parallel/batch-shards';
export {
  DATA_PARALLEL_WORKER_ENV,
  DATA_PARALLEL_WORKER_FILE,
  resolveWorkerScript,
} from './data-parallel/worker-launcher';
export { buildReferenceUnet, type ReferenceUnetOptions } from './reference-unet';
export { registerCpuKernelFixes } from './cpu-kernels/cpu-kernel-fixes';
