import type { Worker } from 'node:worker_threads';
import type { Logger } from '@wms/core';
import type { FromWorker, ToWorker } from './protocol';

type Pending = { resolve: (reply: FromWorker) => void; reject: (error: Error) => void; what: string };

/** Request/reply over one worker thread: each message carries an id, each reply settles it. */
export class WorkerHandle {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | undefined;

  constructor(
    private readonly worker: Worker,
    readonly index: number,
    logger: Logger,
  ) {
    worker.on('message', (reply: FromWorker) => {
      if (reply.type === 'log') {
        logger[reply.level](`[worker ${index}] ${reply.message}`);
        return;
      }
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.type === 'failed') {
        const error = new Error(`data-parallel worker ${index} failed during ${waiting.what}: ${reply.message}`);
        if (reply.stack) error.stack = `${error.message}\n[worker stack] ${reply.stack}`;
        waiting.reject(error);
      } else {
        waiting.resolve(reply);
      }
    });
    worker.on('error', (error) => this.failAll(new Error(`data-parallel worker ${index} crashed: ${error.message}`)));
    worker.on('exit', (code) => this.failAll(new Error(`data-parallel worker ${index} exited with code ${code}`)));
  }

  request<T extends FromWorker['type']>(
    message: DistributiveOmit<ToWorker, 'id'>,
    expect: T,
    transfer: ArrayBuffer[] = [],
  ): Promise<Extract<FromWorker, { type: T }>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (reply) => {
          if (reply.type === expect) resolve(reply as Extract<FromWorker, { type: T }>);
          else
            reject(new Error(`worker ${this.index} answered ${message.type} with ${reply.type}, expected ${expect}`));
        },
        reject,
        what: message.type,
      });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  async terminate(): Promise<void> {
    this.failure ??= new Error(`data-parallel worker ${this.index} was closed`);
    await this.worker.terminate();
  }

  private failAll(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
