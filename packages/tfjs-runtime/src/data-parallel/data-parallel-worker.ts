/**
 * Entry of one data-parallel worker thread: holds a ModelReplica and answers the trainer's
 * messages in order. A bundled action must emit this file as `data-parallel-worker.js` beside
 * its main bundle (or point $WMS_DATA_PARALLEL_WORKER at it); see worker-launcher.ts.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import type { Logger } from '@wms/core';
import { selectBackend } from '../select-backend';
import { ModelReplica } from './model-replica';
import type { FromWorker, ToWorker } from './protocol';

function requireParentPort(): MessagePort {
  if (!parentPort) throw new Error('data-parallel-worker must run in a worker thread');
  return parentPort;
}
const port = requireParentPort();

const post = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

const logger: Logger = {
  debug: (message) => post({ type: 'log', level: 'debug', message }),
  info: (message) => post({ type: 'log', level: 'info', message }),
  warning: (message) => post({ type: 'log', level: 'warning', message }),
  error: (message) => post({ type: 'log', level: 'warning', message }),
  group: async (_name, fn) => fn(),
};

let replica: ModelReplica | undefined;

function requireReplica(): ModelReplica {
  if (!replica) throw new Error('worker received a training message before init');
  return replica;
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'init': {
      const backend = await selectBackend(message.init.backend, logger, { wasmDir: message.init.wasmDir });
      replica = await ModelReplica.create(message.init);
      post({ type: 'ready', id: message.id, backend, trainableCount: replica.trainableCount });
      return;
    }
    case 'gradients': {
      const result = requireReplica().computeGradients(message.batch);
      post({ type: 'gradients', id: message.id, ...result }, [
        result.gradients.buffer as ArrayBuffer,
        result.nonTrainable.buffer as ArrayBuffer,
      ]);
      return;
    }
    case 'apply':
      requireReplica().applyGradients(message.gradients, message.nonTrainable);
      post({ type: 'done', id: message.id });
      return;
    case 'setLearningRate':
      requireReplica().setLearningRate(message.learningRate);
      post({ type: 'done', id: message.id });
      return;
    case 'getWeights': {
      const weights = requireReplica().getWeights();
      post(
        { type: 'weights', id: message.id, weights },
        weights.map((w) => w.buffer as ArrayBuffer),
      );
      return;
    }
    case 'close':
      replica?.dispose();
      post({ type: 'done', id: message.id });
      port.close();
      return;
  }
}

// Messages are handled strictly one after another, so an 'apply' always lands before the next 'gradients'.
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: ToWorker) => {
  queue = queue.then(() =>
    handle(message).catch((error: unknown) => {
      const err = error instanceof Error ? error : new Error(String(error));
      post({ type: 'failed', id: message.id, message: err.message, stack: err.stack });
    }),
  );
});
