/** Networks whose output is known, shared by the model package's inference tests. */
import * as tf from '@tensorflow/tfjs';

/** A 3×3 conv with a fixed, asymmetric kernel: its output changes under every mirror and transpose. */
export function asymmetricConv(size: number): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 3] });
  const output = tf.layers
    .conv2d({ filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid', useBias: false })
    .apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  model.layers[1]!.setWeights([
    tf.tensor4d(
      Array.from({ length: 27 }, (_, i) => ((i * 7) % 11) / 11 - 0.4),
      [3, 3, 3, 1],
    ),
  ]);
  return model;
}

/** A 1×1 conv: sigmoid(weights · (r, g, b) + bias) at every pixel of a `size` × `size` input. */
export function pointwiseConv(size: number, weights: [number, number, number], bias: number): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 3] });
  const output = tf.layers
    .conv2d({
      filters: 1,
      kernelSize: 1,
      activation: 'sigmoid',
      weights: [tf.tensor4d(weights, [1, 1, 3, 1]), tf.tensor1d([bias])],
    })
    .apply(input) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

/** sigmoid(bias) everywhere (a large bias: "all foreground"). */
export function constantModel(size: number, bias: number): tf.LayersModel {
  return pointwiseConv(size, [0, 0, 0], bias);
}
