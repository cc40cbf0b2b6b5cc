// Weight initialisers shared by the model builders. DCGAN (Radford et al. 2016) draws every
// weight from N(0, 0.02); each layer gets its own seed derived from the run seed so that
// building the same config twice gives the same network.
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, Stream } from '../random.js';

type Initializer = ReturnType<typeof tf.initializers.randomNormal>;

/** Hands out per-layer seeded N(0, 0.02) initialisers in build order. */
export class SeededInit {
  private layer = 0;
  constructor(
    private readonly seed: number,
    private readonly network: number,
  ) {}

  normal(): Initializer {
    this.layer += 1;
    return tf.initializers.randomNormal({
      mean: 0,
      stddev: 0.02,
      seed: deriveSeed(this.seed, Stream.init, this.network, this.layer),
    });
  }

  /** Batch-norm scale: N(1, 0.02), as in the DCGAN reference code. */
  gamma(): Initializer {
    this.layer += 1;
    return tf.initializers.randomNormal({
      mean: 1,
      stddev: 0.02,
      seed: deriveSeed(this.seed, Stream.init, this.network, this.layer),
    });
  }
}

export const GENERATOR = 1;
export const DISCRIMINATOR = 2;
