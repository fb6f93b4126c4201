/**
 * Data-parallel training on several cores. tfjs runs the wasm backend single-threaded under Node,
 * so each worker thread holds a full replica of the model (same topology, same initial weights,
 * same optimizer), computes loss and gradients on its shard of every batch, and the trainer
 * averages them (weighted by shard size) and sends the same average back to every worker, which
 * then applies one identical optimizer step: replicas stay bit-identical without broadcasting
 * weights. Batch-norm layers normalise each shard with its own statistics ("ghost batch norm",
 * as PyTorch DDP without SyncBatchNorm); their moving statistics are averaged across workers
 * after every step.
 *
 *   const trainer = await createDataParallelTrainer({
 *     model, loss: { modulePath, exportName: 'myLoss' }, optimizer: { name: 'adam', learningRate: 1e-3 }, workers: 2, logger });
 *   for (...) { const { loss } = await trainer.trainStep({ x, xShape, y, yShape }); }
 *   await trainer.copyWeightsTo(model);   // the main-thread model gets the trained weights
 *   await trainer.close();
 */
import type * as tf from '@tensorflow/tfjs';
import { availableParallelism } from 'node:os';
import { UserError, type Logger } from '@wms/core';
import type { BackendInfo, BackendName } from '../select-backend';
import { splitBatch, validateBatch, weightedSum } from './batch-shards';
import { describeModel } from './model-replica';
import type { BuiltinLossName, LossModuleRef, OptimizerConfig, TensorBatch } from './protocol';
import { WorkerHandle } from './worker-handle';
import { resolveWorkerScript, startWorker } from './worker-launcher';

export interface DataParallelTrainerOptions {
  /** Built on the main thread; its topology and current weights seed every replica. */
  model: tf.LayersModel;
  loss: BuiltinLossName | LossModuleRef;
  optimizer: OptimizerConfig;
  /** Worker threads (replicas); default min(2, cores). One thread each on wasm. */
  workers?: number;
  /** Backend inside the workers; default 'wasm'. */
  backend?: BackendName | 'auto';
  wasmDir?: string;
  /** Path of the emitted data-parallel-worker.js in a bundle (else $WMS_DATA_PARALLEL_WORKER, else found). */
  workerScript?: string;
  /** How long workers may take to load tfjs and build their replica; default 180 s. */
  startTimeoutMs?: number;
  logger: Logger;
}

export interface DataParallelTrainer {
  readonly workerCount: number;
  /** Backend the workers chose (worker 0's report). */
  readonly backend: BackendInfo;
  /** One optimizer step on the whole batch; resolves with the batch's mean loss. */
  trainStep(batch: TensorBatch): Promise<{ loss: number }>;
  /** Averaged loss and flat gradients (trainableWeights order) without stepping; for verification. */
  computeGradients(batch: TensorBatch): Promise<{ loss: number; gradients: Float32Array }>;
  setLearningRate(learningRate: number): Promise<void>;
  /** Current weights (model.getWeights() order) of the replicas, which are identical. */
  getWeights(): Promise<Float32Array[]>;
  copyWeightsTo(model: tf.LayersModel): Promise<void>;
  close(): Promise<void>;
}

export async function createDataParallelTrainer(options: DataParallelTrainerOptions): Promise<DataParallelTrainer> {
  const workerCount = options.workers ?? Math.min(2, availableParallelism());
  if (!Number.isInteger(workerCount) || workerCount < 1 || workerCount > 64) {
    throw new UserError(`Data-parallel workers must be an integer from 1 to 64, got ${String(options.workers)}.`);
  }
  if (!(options.optimizer.learningRate > 0)) {
    throw new UserError(`Optimizer learningRate must be > 0, got ${options.optimizer.learningRate}.`);
  }
  const script = resolveWorkerScript(options.workerScript);
  const init = {
    ...describeModel(options.model),
    loss: options.loss,
    optimizer: options.optimizer,
    backend: options.backend ?? 'wasm',
    wasmDir: options.wasmDir,
  };
  const handles = Array.from(
    { length: workerCount },
    (_, i) => new WorkerHandle(startWorker(script), i, options.logger),
  );
  let readies;
  try {
    readies = await withTimeout(
      Promise.all(handles.map((h) => h.request({ type: 'init', init }, 'ready'))),
      options.startTimeoutMs ?? 180_000,
      `${workerCount} data-parallel worker(s) to load tfjs and build their model replica`,
    );
  } catch (error) {
    await Promise.all(handles.map((h) => h.terminate()));
    throw error;
  }
  const backend = readies[0]!.backend;
  options.logger.info(
    `Data-parallel training: ${workerCount} worker(s) on ${backend.name}, ${readies[0]!.trainableCount} trainable parameters`,
  );

  const gradientsOf = async (batch: TensorBatch) => {
    validateBatch(batch);
    const shards = splitBatch(batch, workerCount);
    const replies = await Promise.all(
      shards.map((shard, i) =>
        handles[i]!.request({ type: 'gradients', batch: shard.batch }, 'gradients', [
          shard.batch.x.buffer as ArrayBuffer,
          shard.batch.y.buffer as ArrayBuffer,
        ]),
      ),
    );
    const weights = shards.map((s) => s.weight);
    return {
      loss: replies.reduce((sum, r, i) => sum + weights[i]! * r.loss, 0),
      gradients: weightedSum(
        replies.map((r) => r.gradients),
        weights,
      ),
      nonTrainable: weightedSum(
        replies.map((r) => r.nonTrainable),
        weights,
      ),
    };
  };

  let closed = false;
  const assertOpen = (): void => {
    if (closed) throw new Error('the data-parallel trainer is closed');
  };

  const getWeights = async (): Promise<Float32Array[]> => {
    assertOpen();
    return (await handles[0]!.request({ type: 'getWeights' }, 'weights')).weights;
  };

  return {
    workerCount,
    backend,
    async trainStep(batch) {
      assertOpen();
      const { loss, gradients, nonTrainable } = await gradientsOf(batch);
      await Promise.all(
        handles.map((h) => {
          const g = gradients.slice();
          const s = nonTrainable.slice();
          return h.request({ type: 'apply', gradients: g, nonTrainable: s }, 'done', [g.buffer, s.buffer]);
        }),
      );
      return { loss };
    },
    async computeGradients(batch) {
      assertOpen();
      const { loss, gradients } = await gradientsOf(batch);
      return { loss, gradients };
    },
    async setLearningRate(learningRate) {
      assertOpen();
      if (!(learningRate > 0)) throw new UserError(`learningRate must be > 0, got ${learningRate}.`);
      await Promise.all(handles.map((h) => h.request({ type: 'setLearningRate', learningRate }, 'done')));
    },
    getWeights,
    async copyWeightsTo(model) {
      const tfjs = await import('@tensorflow/tfjs');
      const values = await getWeights();
      const tensors = model.getWeights().map((w, i) => tfjs.tensor(values[i]!, w.shape));
      model.setWeights(tensors);
      tfjs.dispose(tensors);
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(handles.map((h) => h.request({ type: 'close' }, 'done').catch(() => undefined)));
      await Promise.all(handles.map((h) => h.terminate()));
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, waitingFor: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms / 1000} s waiting for ${waitingFor}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
