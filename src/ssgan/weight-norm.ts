// A weight-normalised dense layer (Salimans & Kingma 2016), as in improved-gan's nn.DenseLayer:
//   y = act( (x·v) ⊙ g/‖v‖ + b ),  ‖v‖ the L2 norm of each output unit's column of v.
// x·v is computed first and scaled per output unit, so the effective weight w = g·v/‖v‖ is never
// materialised (same maths; v's buffer is reused across the D and G steps).
// Data-dependent init (`initFromBatch`): on a batch, set g and b so that every unit's
// pre-activation has mean 0 and std `initScale` (improved-gan's init_updates).
// In improved-gan the hidden layers' g is fixed after this init (train_scale=False) and only the
// output layer's g trains; `trainScale` chooses.
import * as tf from '@tensorflow/tfjs';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface WeightNormDenseArgs {
  units: number;
  activation?: 'relu' | 'linear' | 'sigmoid' | 'softplus' | 'lrelu';
  trainScale?: boolean;
  /** Std of v's normal initialiser (only its direction matters for the output, but Adam's step is absolute). */
  vStddev?: number;
  /** Seed of v's initialiser (reproducible builds). */
  seed?: number;
  name?: string;
  inputDim?: number;
}

export class WeightNormDense extends tf.layers.Layer {
  static readonly className = 'WeightNormDense';
  readonly units: number;
  readonly activation: NonNullable<WeightNormDenseArgs['activation']>;
  readonly trainScale: boolean;
  readonly vStddev: number;
  private readonly seed: number | undefined;
  private v!: tf.LayerVariable;
  private g!: tf.LayerVariable;
  private bias!: tf.LayerVariable;

  constructor(args: WeightNormDenseArgs & LayerArgs) {
    // The base layer's own arguments (name, input shape...) pass through: a model loaded from its
    // saved config hands them back here.
    const { units: _u, activation: _a, trainScale: _t, vStddev: _v, seed: _s, inputDim, ...base } = args;
    super({ ...base, ...(inputDim !== undefined ? { inputShape: [inputDim] } : {}) });
    this.units = args.units;
    this.activation = args.activation ?? 'relu';
    this.trainScale = args.trainScale ?? false;
    this.vStddev = args.vStddev ?? 0.1;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inDim = shape[shape.length - 1]!;
    this.v = this.addWeight(
      'v',
      [inDim, this.units],
      'float32',
      tf.initializers.randomNormal({ mean: 0, stddev: this.vStddev, seed: this.seed }),
    );
    this.g = this.addWeight('g', [this.units], 'float32', tf.initializers.ones(), undefined, this.trainScale);
    this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.units];
  }

  /** g/‖v‖ per output unit. */
  scale(): tf.Tensor1D {
    return weightNormScale(this.v.read() as tf.Tensor2D, this.g.read() as tf.Tensor1D);
  }

  /** x·v/‖v‖ (before g and b): what data-dependent init normalises. */
  private direction(x: tf.Tensor): tf.Tensor {
    const v = this.v.read();
    return tf.mul(
      tf.fused.matMul({ a: x as tf.Tensor2D, b: v as tf.Tensor2D }),
      tf.rsqrt(tf.add(tf.sum(tf.square(v), 0), 1e-12)),
    );
  }

  /**
   * act((x·v) ⊙ g/‖v‖ + b). `scale` is g/‖v‖ when the caller already has it; `scaleShift` may be
   * an engine's one-kernel version of the scale, the bias and a ReLU.
   */
  outputOf(x: tf.Tensor, scale?: tf.Tensor1D, scaleShift: ScaleShift = stockScaleShift): tf.Tensor {
    const product = tf.fused.matMul({ a: x as tf.Tensor2D, b: this.v.read() as tf.Tensor2D });
    const relu = this.activation === 'relu';
    const shifted = scaleShift(product, scale ?? this.scale(), this.bias.read() as tf.Tensor1D, relu);
    return relu ? shifted : activate(shifted, this.activation);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => this.outputOf(Array.isArray(inputs) ? inputs[0]! : inputs));
  }

  /**
   * Data-dependent init on batch `x`: g ← initScale/σ, b ← −μ·initScale/σ for the per-unit mean μ and
   * std σ of x·v/‖v‖. Returns this layer's output on x after the init.
   */
  initFromBatch(x: tf.Tensor, initScale = 1): tf.Tensor {
    return tf.tidy(() => {
      const t = this.direction(x);
      const { mean, variance } = tf.moments(t, 0);
      const inv = tf.div(initScale, tf.sqrt(tf.add(variance, 1e-8)));
      this.g.write(inv);
      this.bias.write(tf.neg(tf.mul(mean, inv)));
      return activate(tf.mul(tf.sub(t, mean), inv), this.activation);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      trainScale: this.trainScale,
      vStddev: this.vStddev,
    };
  }
}
tf.serialization.registerClass(WeightNormDense);

/**
 * s = g/‖v‖ (per column of v) with its gradient written out: dv = −v ⊙ (ds·g/‖v‖³), dg = ds/‖v‖.
 * Autodiff of the same expression would pass dv through Square's and Sum's gradients, three
 * passes over v where this takes one, on every D step.
 */
const weightNormScale = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [v, g, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  const inverseNorm = tf.rsqrt(tf.add(tf.sum(tf.square(v), 0), 1e-12));
  save([v, g, inverseNorm]);
  return {
    value: tf.mul(g, inverseNorm),
    gradFunc: (ds: tf.Tensor, saved: tf.Tensor[]) => {
      const [vSaved, gSaved, r] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
      const perColumn = tf.mul(tf.mul(ds, gSaved), tf.neg(tf.mul(tf.square(r), r)));
      return [tf.mul(vSaved, perColumn), tf.mul(ds, r)];
    },
  };
}) as (v: tf.Tensor2D, g: tf.Tensor1D) => tf.Tensor1D;

/** p ⊙ scale + bias for a product p and per-column scale and bias, then ReLU when `relu`. */
export type ScaleShift = (p: tf.Tensor, scale: tf.Tensor1D, bias: tf.Tensor1D, relu: boolean) => tf.Tensor;

export const stockScaleShift: ScaleShift = (p, scale, bias, relu) => {
  const shifted = tf.add(tf.mul(p, scale), bias);
  return relu ? tf.relu(shifted) : shifted;
};

export function activate(x: tf.Tensor, activation: WeightNormDenseArgs['activation']): tf.Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'lrelu':
      return tf.leakyRelu(x, 0.2);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'softplus':
      return tf.softplus(x);
    default:
      return x;
  }
}

/**
 * `model` itself when it has no weight-normalised layer; otherwise a copy (a Sequential model
 * only) where each is a plain dense layer computing the same function, kernel g·v/‖v‖: a model
 * that any tfjs loads without our custom class (the browser export).
 */
export function withPlainDense(model: tf.LayersModel): tf.LayersModel {
  if (!model.layers.some((layer) => layer instanceof WeightNormDense)) return model;
  if (!(model instanceof tf.Sequential)) throw new Error(`${model.name}: only a Sequential model can be converted`);
  const copy = tf.sequential({ name: model.name });
  model.layers.forEach((layer, i) => {
    const input: { batchInputShape?: tf.Shape } = i === 0 ? { batchInputShape: model.inputs[0]!.shape } : {};
    if (!(layer instanceof WeightNormDense)) {
      const config = { ...layer.getConfig(), ...input };
      const [cls, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()]!;
      const clone = fromConfig(cls, config as tf.serialization.ConfigDict) as tf.layers.Layer;
      copy.add(clone);
      clone.setWeights(layer.getWeights());
      return;
    }
    const leaky = layer.activation === 'lrelu';
    const dense = tf.layers.dense({
      units: layer.units,
      activation: leaky ? 'linear' : layer.activation,
      name: layer.name,
      ...input,
    });
    copy.add(dense);
    const [v, , bias] = layer.getWeights() as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
    const kernel = tf.tidy(() => tf.mul(v, layer.scale()));
    dense.setWeights([kernel, bias]);
    kernel.dispose();
    if (leaky) copy.add(tf.layers.leakyReLU({ alpha: 0.2, name: `${layer.name}_lrelu` }));
  });
  return copy;
}
