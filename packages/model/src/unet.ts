/**
 * The U-Net, written once against the TF.js layers API so every backend (cpu, wasm, tfjs-node)
 * runs the same graph. Same shape as the seed's PyTorch WaterMetersUNet: per level two 3×3
 * conv + batch norm + ReLU, max-pool down, bilinear up-sampling and skip concatenation on the
 * way up, a 1×1 conv to one channel with a sigmoid.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config';
import { numericPrior } from './derived-config';
import { deriveSeed } from './random';

export interface UNetOptions {
  /** Seeds the kernel initialisers so one seed gives one initial model. */
  seed?: number;
}

export function buildUNet(cfg: ModelConfig, options: UNetOptions = {}): tf.LayersModel {
  const seed = options.seed ?? 42;
  let layerIndex = 0;
  const initializer = (): ReturnType<typeof tf.initializers.heNormal> =>
    tf.initializers.heNormal({ seed: deriveSeed(seed, layerIndex++) % 2 ** 31 });

  const doubleConv = (input: tf.SymbolicTensor, filters: number, name: string): tf.SymbolicTensor => {
    let x = input;
    for (let i = 1; i <= 2; i++) {
      x = tf.layers
        .conv2d({
          filters,
          kernelSize: 3,
          padding: 'same',
          useBias: !cfg.batch_norm,
          kernelInitializer: initializer(),
          name: `${name}_conv${i}`,
        })
        .apply(x) as tf.SymbolicTensor;
      if (cfg.batch_norm) {
        x = tf.layers
          .batchNormalization({ axis: -1, momentum: 0.9, name: `${name}_bn${i}` })
          .apply(x) as tf.SymbolicTensor;
      }
      x = tf.layers.reLU({ name: `${name}_relu${i}` }).apply(x) as tf.SymbolicTensor;
    }
    return x;
  };

  const input = tf.input({ shape: [cfg.input_size, cfg.input_size, cfg.input_channels], name: 'image' });
  const skips: tf.SymbolicTensor[] = [];
  let x: tf.SymbolicTensor = input;
  for (let level = 0; level < cfg.depth; level++) {
    x = doubleConv(x, cfg.base_filters * 2 ** level, `enc${level + 1}`);
    skips.push(x);
    x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool${level + 1}` }).apply(x) as tf.SymbolicTensor;
  }
  x = doubleConv(x, cfg.base_filters * 2 ** cfg.depth, 'bottleneck');
  for (let level = cfg.depth - 1; level >= 0; level--) {
    x = tf.layers
      .upSampling2d({ size: [2, 2], interpolation: 'bilinear', name: `up${level + 1}` })
      .apply(x) as tf.SymbolicTensor;
    const skip = skips[level] as tf.SymbolicTensor;
    x = tf.layers.concatenate({ axis: -1, name: `cat${level + 1}` }).apply([x, skip]) as tf.SymbolicTensor;
    x = doubleConv(x, cfg.base_filters * 2 ** level, `dec${level + 1}`);
  }
  const output = tf.layers
    .conv2d({
      filters: cfg.output_channels,
      kernelSize: 1,
      activation: 'sigmoid',
      kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, 9999) % 2 ** 31 }),
      biasInitializer: tf.initializers.constant({
        value: Math.log(numericPrior(cfg.foreground_prior) / (1 - numericPrior(cfg.foreground_prior))),
      }),
      name: 'mask',
    })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'unet' });
}

/** The square input side a loaded model expects. */
export function modelInputSize(model: tf.LayersModel): number {
  const shape = model.inputs[0]?.shape;
  const size = shape?.[1];
  if (typeof size !== 'number' || shape?.[2] !== size) {
    throw new Error(`model input shape ${JSON.stringify(shape)} is not [batch, size, size, channels]`);
  }
  return size;
}
