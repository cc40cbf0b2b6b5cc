// Optimizer state (Adam's step count and moment estimates) as `<name>.json` (the weight specs)
// plus `<name>.bin`, so resuming continues with the same effective learning-rate schedule.
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurable } from '../fs-atomic.js';
import { CheckpointError } from './model-io.js';

/**
 * tfjs's Adam keeps beta1^t and beta2^t in two variables, updated by repeated multiplication;
 * its setWeights recomputes them with pow(), which differs in the last bits. We save the
 * running products too, so a resumed run takes bit-identical steps.
 */
interface AdamPowers {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

function adamPowers(optimizer: tf.Optimizer): AdamPowers | undefined {
  const o = optimizer as unknown as Partial<AdamPowers>;
  return o.accBeta1 instanceof tf.Variable && o.accBeta2 instanceof tf.Variable ? (o as AdamPowers) : undefined;
}

interface OptimizerFile {
  weights: tf.io.WeightsManifestEntry[];
  adamPowers?: [number, number];
}

export async function saveOptimizer(optimizer: tf.Optimizer, dir: string, name: string): Promise<void> {
  const weights = await optimizer.getWeights();
  const { data, specs } = await tf.io.encodeWeights(weights);
  const powers = adamPowers(optimizer);
  const file: OptimizerFile = {
    weights: specs,
    ...(powers ? { adamPowers: [(await powers.accBeta1.data())[0]!, (await powers.accBeta2.data())[0]!] } : {}),
  };
  writeFileDurable(join(dir, `${name}.bin`), new Uint8Array(tf.io.CompositeArrayBuffer.join(data)));
  writeFileDurable(join(dir, `${name}.json`), JSON.stringify(file));
  // getWeights returns fresh tensors for the iteration count; the rest are the live variables.
  tf.dispose(weights.filter((w) => !(w.tensor instanceof tf.Variable)).map((w) => w.tensor));
}

/** Restores state saved by `saveOptimizer` into an optimizer of the same kind. */
export async function loadOptimizer(optimizer: tf.Optimizer, dir: string, name: string): Promise<void> {
  const jsonPath = join(dir, `${name}.json`);
  const binPath = join(dir, `${name}.bin`);
  if (!existsSync(jsonPath) || !existsSync(binPath))
    throw new CheckpointError(`${dir}: optimizer state ${name} is missing`);
  let decoded: tf.NamedTensorMap;
  let file: OptimizerFile;
  try {
    file = JSON.parse(readFileSync(jsonPath, 'utf8')) as OptimizerFile;
    decoded = tf.io.decodeWeights(new Uint8Array(readFileSync(binPath)).buffer, file.weights);
  } catch (err) {
    throw new CheckpointError(`${jsonPath}: corrupted optimizer state (${(err as Error).message.split('\n')[0]})`);
  }
  // setWeights wraps each tensor in a new variable that shares its data, so ours can go.
  await optimizer.setWeights(Object.entries(decoded).map(([n, tensor]) => ({ name: n, tensor })));
  tf.dispose(Object.values(decoded));
  const powers = adamPowers(optimizer);
  if (powers && file.adamPowers) {
    tf.tidy(() => {
      powers.accBeta1.assign(tf.scalar(file.adamPowers![0]));
      powers.accBeta2.assign(tf.scalar(file.adamPowers![1]));
    });
  }
}
