import * as tf from '@tensorflow/tfjs';

export interface ReferenceUnetOptions {
  size: number;
  /** Filters at the first level, doubled per level. */
  base?: number;
  levels?: number;
  inputChannels?: number;
  /** Up-sampling: learned conv2dTranspose (default) or upSampling2d + conv. */
  upsampling?: 'transpose' | 'resize';
  /** false builds the same net without batch norm (exact data-parallel gradient checks). */
  batchNorm?: boolean;
}

/**
 * The U-Net shape the backends are measured and verified with (conv-bn-relu ×2 per level,
 * max-pool, conv2dTranspose, concat, 1×1 sigmoid). scripts/bench/train_reference.py builds the
 * same network in PyTorch; the engine's production U-Net lives elsewhere in @wms/model.
 */
export function buildReferenceUnet(options: ReferenceUnetOptions): tf.LayersModel {
  const { size, base = 16, levels = 3, inputChannels = 3, upsampling = 'transpose', batchNorm = true } = options;
  const input = tf.input({ shape: [size, size, inputChannels] });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) =>
    layer.apply(x) as tf.SymbolicTensor;
  const convBlock = (x: tf.SymbolicTensor, filters: number): tf.SymbolicTensor => {
    let t = x;
    for (let i = 0; i < 2; i++) {
      t = apply(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: !batchNorm }), t);
      if (batchNorm) t = apply(tf.layers.batchNormalization(), t);
      t = apply(tf.layers.reLU(), t);
    }
    return t;
  };
  let x: tf.SymbolicTensor = input;
  const skips: tf.SymbolicTensor[] = [];
  for (let level = 0; level < levels; level++) {
    x = convBlock(x, base << level);
    skips.push(x);
    x = apply(tf.layers.maxPooling2d({ poolSize: 2 }), x);
  }
  x = convBlock(x, base << levels);
  for (let level = levels - 1; level >= 0; level--) {
    const filters = base << level;
    x =
      upsampling === 'transpose'
        ? apply(tf.layers.conv2dTranspose({ filters, kernelSize: 2, strides: 2, padding: 'same' }), x)
        : apply(
            tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same' }),
            apply(tf.layers.upSampling2d({ size: [2, 2] }), x),
          );
    x = apply(tf.layers.concatenate(), [x, skips[level]!]);
    x = convBlock(x, filters);
  }
  const output = apply(tf.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' }), x);
  return tf.model({ inputs: input, outputs: output });
}
