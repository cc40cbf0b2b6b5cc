// `gan interpolate`: walks through latent space and shows what the generator makes along the
// way, one row per path, `steps` images per row.
//   - default: each row slerps between two random latent points (a conditional generator
//     keeps one class per row: row r shows class r mod classes);
//   - `--class A:B` (conditional generators): each row keeps one random z (one "style") and
//     moves the class input linearly from one-hot A to one-hot B, so the row shows the digit
//     turning from A into B (src/interpolation.ts: why this is embedding interpolation).
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { refuseOutputInsideRun } from '../checkpoint/output-path.js';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { encodeGrid, type ImageBatch } from '../image.js';
import { classMixRows, fixedRows, latentPaths } from '../interpolation.js';
import { terminal, type Log } from '../log.js';
import { deriveSeed, Stream } from '../random.js';
import { generateFrom, generateImages, sampleLabels, type GeneratorInfo } from '../sampling.js';
import { openGenerator, type GeneratorOptions } from './setup.js';
import type { Command } from 'commander';
import {
  backendOption,
  ckptOption,
  noEmaOption,
  outDirOption,
  parseIntOption,
  parsePathOption,
  seedOption,
} from './options.js';

/** Tells interpolation draws apart from `gan sample` draws with the same --seed. */
const INTERPOLATION_DRAW = 1;

export interface InterpolateOptions extends GeneratorOptions {
  steps: number;
  rows: number;
  class?: string;
  seed?: number;
  out?: string;
}

/** `--class A:B` as two class ids the generator accepts. */
export function parseClassPair(value: string, info: GeneratorInfo): [number, number] {
  if (!info.conditional) {
    throw new UserError(
      `--class ${value}: this generator is not class-conditional (train with model.conditional: true), ` +
        'so there are no classes to interpolate',
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

export async function interpolateCommand(opts: InterpolateOptions, io: Log): Promise<string> {
  if (opts.out !== undefined) refuseOutputInsideRun('--out', opts.out);
  const { ref, model: generator, weights, info } = await openGenerator(opts, io);
  try {
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
      const z = await latentPaths(opts.rows, opts.steps, info.latentDim, noiseSeed);
      // One class per row for a conditional generator, so each row is one digit changing style.
      const rowClasses = Array.from(sampleLabels(opts.rows, info.classes));
      const labels = info.conditional
        ? Int32Array.from(rowClasses.flatMap((c) => Array<number>(opts.steps).fill(c)))
        : undefined;
      images = await generateImages(generator, z, labels);
      z.dispose();
    }
    const what = pair ? `class${pair[0]}to${pair[1]}` : 'latent';
    const epoch = String(ref.state.epoch).padStart(4, '0');
    const out = opts.out ?? join(ref.runDir, 'samples', `interp-${what}-epoch${epoch}-seed${seed}.png`);
    writeFileAtomic(out, encodeGrid(images, opts.steps));
    const path = pair ? `class ${pair[0]} → ${pair[1]} with one z per row` : 'slerp between random latent points';
    io.log(
      `wrote ${opts.rows}×${opts.steps} interpolation (${path}; ${weights} weights) from ${ref.dir} ` +
        `(seed ${seed}) to ${out}`,
    );
    return out;
  } finally {
    generator.dispose();
  }
}

/** `gan interpolate`'s command line. */
export function declareInterpolate(program: Command): void {
  program
    .command('interpolate')
    .description('a grid of latent-space walks (or, with --class A:B, class A morphing into B)')
    .addOption(ckptOption())
    .option('--steps <n>', 'images per row, both ends included', parseIntOption('--steps', 2, 256), 10)
    .option('--rows <n>', 'rows (independent paths)', parseIntOption('--rows', 1, 256), 8)
    .option('--class <A:B>', 'conditional generators: keep z per row and interpolate the class embedding from A to B')
    .addOption(seedOption('noise seed (default: random, printed)'))
    .addOption(noEmaOption())
    .option('-o, --out <file>', "output PNG (default: in the run's samples/)", parsePathOption('--out'))
    .addOption(outDirOption())
    .addOption(backendOption())
    .action(async (opts) => {
      await interpolateCommand(opts, terminal);
    });
}
