// Interpolating between classes through the generator's own inputs. A conditional generator
// takes its class as a one-hot vector into a bias-free dense layer (models/conditioning.ts),
// so feeding the mixture (1 - t) * onehot(A) + t * onehot(B) yields exactly the linearly
// interpolated class embedding (1 - t) * embed(A) + t * embed(B): no surgery on the graph.
import * as tf from '@tensorflow/tfjs';

/**
 * Class inputs for `rows` rows of `steps` images, each row going from class `a` to class `b`:
 * [rows * steps, classes], row-major like the image grid.
 */
export function classMixRows(a: number, b: number, classes: number, steps: number, rows: number): tf.Tensor2D {
  return tf.tidy(() => {
    const t = tf.linspace(0, 1, steps).reshape([steps, 1]);
    const ends = tf.oneHot(tf.tensor1d([a, b], 'int32'), classes).toFloat();
    const [ea, eb] = tf.split(ends, 2);
    const row = ea!.mul(tf.scalar(1).sub(t)).add(eb!.mul(t));
    return tf.tile(row, [rows, 1]) as tf.Tensor2D;
  });
}
