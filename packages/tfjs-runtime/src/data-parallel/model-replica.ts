import * as tf from '@tensorflow/tfjs';
import type { OptimizerConfig, ReplicaInit, TensorBatch } from './protocol';
import { resolveTrainingLoss, type TrainingLoss } from './training-losses';

export function createOptimizer(config: OptimizerConfig): tf.Optimizer {
  switch (config.name) {
    case 'adam':
      return tf.train.adam(config.learningRate, config.beta1, config.beta2, config.epsilon);
    case 'sgd':
      return tf.train.sgd(config.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(config.learningRate);
  }
}

/** Copies a model's topology and weights into plain data a worker can rebuild it from. */
export function describeModel(model: tf.LayersModel): Pick<ReplicaInit, 'modelTopology' | 'weights'> {
  return {
    modelTopology: model.toJSON(undefined, true) as string,
    weights: model.getWeights().map((w) => ({ shape: w.shape, values: Float32Array.from(w.dataSync()) })),
  };
}

/**
 * One copy of the model with its own optimizer state. Gradients come out as one flat
 * Float32Array in trainableWeights order, so averaging across replicas is a loop over numbers.
 * Used inside each data-parallel worker, and directly for single-process reference gradients.
 */
export class ModelReplica {
  private constructor(
    readonly model: tf.LayersModel,
    private readonly loss: TrainingLoss,
    private readonly optimizer: tf.Optimizer,
    private readonly weightDecay: number,
  ) {}

  static async create(init: Omit<ReplicaInit, 'backend' | 'wasmDir'>): Promise<ModelReplica> {
    const model = await tf.models.modelFromJSON({
      // A topology written by model.toJSON(); tfjs types it as an opaque Python-style dict.
      modelTopology: JSON.parse(init.modelTopology) as never,
    });
    const weights = init.weights.map((w) => tf.tensor(w.values, w.shape));
    model.setWeights(weights);
    tf.dispose(weights);
    return new ModelReplica(
      model,
      resolveTrainingLoss(init.loss),
      createOptimizer(init.optimizer),
      init.optimizer.weightDecay ?? 0,
    );
  }

  get trainableCount(): number {
    return this.model.trainableWeights.reduce((n, w) => n + w.read().size, 0);
  }

  /** Loss and flat gradients of the batch; batch-norm statistics update as in a training step. */
  computeGradients(batch: TensorBatch): { loss: number; gradients: Float32Array; nonTrainable: Float32Array } {
    const variables = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.tidy(() => {
      const x = tf.tensor(batch.x, batch.xShape);
      const y = tf.tensor(batch.y, batch.yShape);
      return tf.variableGrads(() => this.loss(y, this.model.apply(x, { training: true }) as tf.Tensor), variables);
    });
    const gradients = new Float32Array(this.trainableCount);
    let offset = 0;
    for (const variable of variables) {
      const grad = grads[variable.name];
      if (!grad) throw new Error(`no gradient for ${variable.name}: is it used by the loss?`);
      gradients.set(grad.dataSync() as Float32Array, offset);
      offset += grad.size;
    }
    const loss = value.dataSync()[0] ?? Number.NaN;
    tf.dispose([value, ...Object.values(grads)]);
    return { loss, gradients, nonTrainable: this.readNonTrainable() };
  }

  /**
   * One optimizer step with the given flat gradients; sets non-trainable weights (BN statistics)
   * too. With `weightDecay`, kernels get the coupled L2 term (gradient + weightDecay · kernel),
   * the same step as the single-process runner's penalty (weightDecay / 2) · Σ kernel².
   */
  applyGradients(flat: Float32Array, nonTrainable: Float32Array): void {
    const named: tf.NamedTensorMap = {};
    let offset = 0;
    for (const weight of this.model.trainableWeights) {
      const variable = weight.read() as tf.Variable;
      const gradient = tf.tensor(flat.slice(offset, offset + variable.size), variable.shape);
      if (this.weightDecay > 0 && isKernelWeight(weight)) {
        named[variable.name] = tf.tidy(() => gradient.add(variable.mul(this.weightDecay)));
        gradient.dispose();
      } else {
        named[variable.name] = gradient;
      }
      offset += variable.size;
    }
    if (offset !== flat.length) throw new Error(`got ${flat.length} gradient values for ${offset} trainable weights`);
    this.optimizer.applyGradients(named);
    tf.dispose(Object.values(named));
    this.writeNonTrainable(nonTrainable);
  }

  setLearningRate(learningRate: number): void {
    // tfjs optimizers read this field on every step; it has no public setter.
    (this.optimizer as unknown as { learningRate: number }).learningRate = learningRate;
  }

  getWeights(): Float32Array[] {
    // Copies: on the cpu backend dataSync returns the live buffer, which a transfer would detach.
    return this.model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  }

  private readNonTrainable(): Float32Array {
    const parts = this.model.nonTrainableWeights.map((w) => w.read().dataSync() as Float32Array);
    const flat = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const part of parts) {
      flat.set(part, offset);
      offset += part.length;
    }
    return flat;
  }

  private writeNonTrainable(flat: Float32Array): void {
    let offset = 0;
    for (const weight of this.model.nonTrainableWeights) {
      const { size, shape } = weight.read();
      const value = tf.tensor(flat.slice(offset, offset + size), shape);
      weight.write(value); // assigns a copy
      value.dispose();
      offset += size;
    }
  }

  dispose(): void {
    this.model.dispose();
    this.optimizer.dispose();
  }
}

/**
 * Whether a layer weight is a kernel (gets weight decay). By the name the layer gave it: the
 * variable's own name gets a suffix (`…/kernel_1`) when another model in the same thread already
 * used it.
 */
export function isKernelWeight(weight: { originalName: string }): boolean {
  return weight.originalName.endsWith('/kernel') || weight.originalName === 'kernel';
}
