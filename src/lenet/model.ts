// The evaluation classifier: a small LeNet-style CNN trained on the dataset itself (the MNIST
// practice of TF-GAN's mnist_score / mnist_frechet_distance; Inception is the wrong eye for
// 28×28 digits and cannot be downloaded here). Inputs are in [-1, 1], like the GAN's images.
//
//   conv 3×3 32 ReLU → max-pool 2 → conv 3×3 64 ReLU → max-pool 2 → dense 128 ReLU ("features",
//   the layer FID reads) → dropout 0.5 → dense classes ("logits")
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../random.js';

/** Random-stream purposes of the classifier (apart from training's and evaluation's numbers). */
export const ClassifierStream = { init: 101, shuffle: 102, dropout: 103, shift: 108 } as const;

/**
 * The evaluation classifier's seed is fixed, not the run's: every run on a dataset is measured
 * by the same classifier, so FIDs of runs with different seeds are comparable.
 */
export const CLASSIFIER_SEED = 1234;

export const FEATURE_LAYER = 'features';
export const DROPOUT_LAYER = 'dropout';
export const LOGITS_LAYER = 'logits';
export const FEATURE_DIM = 128;
export const DROPOUT_RATE = 0.5;
/** Bumped whenever the architecture or training recipe changes, so cached classifiers retrain. */
export const CLASSIFIER_ARCH = 'lenet-3x3-32-64-128-v1';

export interface ClassifierShape {
  height: number;
  width: number;
  channels: number;
  classes: number;
}

/** Builds the untrained classifier; every layer's initialiser has its own seed derived from `seed`. */
export function buildClassifier(shape: ClassifierShape, seed: number): tf.Sequential {
  let layer = 0;
  // He initialisation suits ReLU layers; biases start at zero.
  const init = () => tf.initializers.heNormal({ seed: deriveSeed(seed, ClassifierStream.init, ++layer) });
  const model = tf.sequential({ name: 'eval_classifier' });
  model.add(
    tf.layers.conv2d({
      inputShape: [shape.height, shape.width, shape.channels],
      filters: 32,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(),
      name: 'conv1',
    }),
  );
  model.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }));
  model.add(
    tf.layers.conv2d({
      filters: 64,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(),
      name: 'conv2',
    }),
  );
  model.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(
    tf.layers.dense({ units: FEATURE_DIM, activation: 'relu', kernelInitializer: init(), name: FEATURE_LAYER }),
  );
  // Declared for the saved architecture (and for anyone calling predict); our training loop
  // replaces it with a per-step seeded tf.dropout, since the layer's fixed seed would draw the
  // same mask at every step.
  model.add(tf.layers.dropout({ rate: DROPOUT_RATE, name: DROPOUT_LAYER }));
  model.add(
    tf.layers.dense({
      units: shape.classes,
      kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, ClassifierStream.init, ++layer) }),
      name: LOGITS_LAYER,
    }),
  );
  return model;
}

/** The shape a (built or loaded) classifier expects and produces. */
export function classifierShape(model: tf.LayersModel): ClassifierShape {
  const [, height, width, channels] = model.inputs[0]!.shape as number[];
  const classes = model.outputs[0]!.shape[1] as number;
  return { height: height!, width: width!, channels: channels!, classes };
}

export interface ForwardOutputs {
  /** [batch, FEATURE_DIM] penultimate activations. */
  features: tf.Tensor2D;
  /** [batch, classes] unnormalised class scores. */
  logits: tf.Tensor2D;
}

/**
 * Runs the classifier layer by layer, tapping the feature layer on the way. In training mode
 * `dropout` replaces the dropout layer (see buildClassifier); in inference it is the identity.
 * Call inside tf.tidy (intermediates are not disposed here).
 */
export function forward(
  model: tf.LayersModel,
  images: tf.Tensor4D,
  dropout?: (x: tf.Tensor) => tf.Tensor,
): ForwardOutputs {
  let x: tf.Tensor = images;
  let features: tf.Tensor | undefined;
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    if (layer.name === DROPOUT_LAYER) {
      x = dropout ? dropout(x) : x;
      continue;
    }
    x = layer.apply(x, { training: false }) as tf.Tensor;
    if (layer.name === FEATURE_LAYER) features = x;
  }
  if (!features) throw new Error(`classifier has no layer named ${FEATURE_LAYER}`);
  return { features: features as tf.Tensor2D, logits: x as tf.Tensor2D };
}
