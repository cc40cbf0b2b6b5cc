// `gan interpolate`: walks through latent space and shows what the generator makes along the
// way, one row per path, `steps` images per row.
//   - default: each row slerps between two random latent points (a conditional generator
//     keeps one class per row: row r shows class r mod classes);
//   - `--class A:B` (conditional generators): each row keeps one random z (one "style") and
//     moves the class input linearly from one-hot A to one-hot B, so the row shows the digit
//     turning from A into B (interpolate/class-mix.ts: why this is embedding interpolation).
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { loadGenerator } from '../checkpoint/generator.js';
import { resolveCheckpoint } from '../checkpoint/run-dir.js';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { describeGenerator, type GeneratorInfo } from '../generator-info.js';
import { encodeGrid, type ImageBatch } from '../image.js';
import { classMixRows } from '../interpolate/class-mix.js';
import { slerpPath } from '../interpolate/slerp.js';
import { deriveSeed, Stream } from '../random.js';
import { generateFrom, generateImages, latentNoise, sampleLabels } from '../sampling.js';
import { startEngine } from './engine.js';
import type { CommandIO } from './train.js';

/** Tells interpolation draws apart from `gan sample` draws with the same --seed. */
const INTERPOLATION_DRAW = 1;

export interface InterpolateOptions {
  ckpt: string;
  steps: number;
  rows: number;
  class?: string;
  seed?: number;
  ema: boolean;
  out?: string;
  outDir: string;
  backend?: string;
}

/** `--class A:B` as two class ids the generator accepts. */
export function parseClassPair(value: string, info: GeneratorInfo): [number, number] {
  if (!info.conditional) {
    throw new UserError(
      `--class ${value}: this generator is not class-conditional (train with model.conditional: true), so there are no classes to interpolate`,
    );
  }
  const m = /^(\d+):(\d+)$/.exec(value.trim());
  const pair = m ? [Number(m[1]), Number(m[2])] : [];
  if (pair.length !== 2 || pair.some((c) => c >= info.classes)) {
    throw new UserError(
      `--class ${value}: expected A:B with class ids from 0 to ${info.classes - 1}, e.g. --class 3:8`,
    );
  }
  return pair as [number, number];
}

/** Rows of slerp paths between pairs of random latent points: [rows * steps, latentDim]. */
function latentPaths(rows: number, steps: number, latentDim: number, seed: number): tf.Tensor2D {
  const ends = latentNoise(2 * rows, latentDim, seed);
  const values = ends.dataSync();
  ends.dispose();
  const out = new Float32Array(rows * steps * latentDim);
  for (let r = 0; r < rows; r++) {
    const a = values.subarray(2 * r * latentDim, (2 * r + 1) * latentDim);
    const b = values.subarray((2 * r + 1) * latentDim, (2 * r + 2) * latentDim);
    out.set(slerpPath(a, b, steps), r * steps * latentDim);
  }
  return tf.tensor2d(out, [rows * steps, latentDim]);
}

/** One fixed z per row, repeated `steps` times: [rows * steps, latentDim]. */
function fixedRows(rows: number, steps: number, latentDim: number, seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const z = latentNoise(rows, latentDim, seed);
    return z
      .reshape([rows, 1, latentDim])
      .tile([1, steps, 1])
      .reshape([rows * steps, latentDim]) as tf.Tensor2D;
  });
}

export async function interpolateCommand(opts: InterpolateOptions, io: CommandIO): Promise<string> {
  const ref = resolveCheckpoint(opts.ckpt, opts.outDir);
  await startEngine(opts.backend, undefined, io.log);
  const { model: generator, weights } = await loadGenerator(ref, opts.ema);
  try {
    const info = describeGenerator(generator);
    const pair = opts.class !== undefined ? parseClassPair(opts.class, info) : undefined;
    const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
    const noiseSeed = deriveSeed(seed, Stream.sample, INTERPOLATION_DRAW);
    let images: ImageBatch;
    if (pair) {
      const z = fixedRows(opts.rows, opts.steps, info.latentDim, noiseSeed);
      const classInput = classMixRows(pair[0], pair[1], info.classes, opts.steps, opts.rows);
      images = await generateFrom(generator, z, classInput);
      tf.dispose([z, classInput]);
    } else {
      const z = latentPaths(opts.rows, opts.steps, info.latentDim, noiseSeed);
      // One class per row for a conditional generator, so each row is one digit changing style.
      const labels = info.conditional
        ? Int32Array.from(
            Array.from(sampleLabels(opts.rows, info.classes)).flatMap((c) => Array<number>(opts.steps).fill(c)),
          )
        : undefined;
      images = await generateImages(generator, z, labels);
      z.dispose();
    }
    const what = pair ? `class${pair[0]}to${pair[1]}` : 'latent';
    const out =
      opts.out ??
      join(ref.runDir, 'samples', `interp-${what}-epoch${String(ref.state.epoch).padStart(4, '0')}-seed${seed}.png`);
    writeFileAtomic(out, encodeGrid(images, opts.steps));
    const path = pair ? `class ${pair[0]} → ${pair[1]} with one z per row` : 'slerp between random latent points';
    io.log(
      `wrote ${opts.rows}×${opts.steps} interpolation (${path}; ${weights} weights) from ${ref.dir} (seed ${seed}) to ${out}`,
    );
    return out;
  } finally {
    generator.dispose();
  }
}
