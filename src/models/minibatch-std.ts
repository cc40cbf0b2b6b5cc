// Minibatch standard deviation (Karras et al. 2018, "Progressive Growing of GANs", §3): D gets
// one extra feature map holding how much the batch it is scoring varies — the standard deviation
// of every feature at every position over the batch, averaged to one number. A generator whose
// samples are all alike gives itself away by that number alone, so G is pushed to match the real
// batches' variety, not just each image's realism. The whole batch is one group: D always scores
// a batch of real or a batch of generated images, never a mixture.
import * as tf from '@tensorflow/tfjs';

/** Keeps the std's gradient finite when a batch has no spread (e.g. a batch of one). */
const EPSILON = 1e-8;

export class MinibatchStd extends tf.layers.Layer {
  static readonly className = 'MinibatchStd';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    return [...shape.slice(0, -1), channels == null ? null : channels + 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const { variance } = tf.moments(x, 0);
      const spread = tf.mean(tf.sqrt(tf.add(variance, EPSILON)));
      const map = tf.mul(tf.ones([...x.shape.slice(0, -1), 1]), spread);
      return tf.concat([x, map], -1);
    });
  }
}

tf.serialization.registerClass(MinibatchStd);
