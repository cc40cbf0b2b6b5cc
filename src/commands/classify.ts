// `gan classify`: a semi-supervised run's classifier — its discriminator, by default the moving
// average — on a split of the run's dataset or on images from a file (.npy as `gan sample
// --format npy` writes, or IDX); accuracy where labels are known, predictions in file order.
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { accuracy } from '../lenet/features.js';
import { loadModel } from '../checkpoint/model-io.js';
import { refuseOutputInsideRun } from '../checkpoint/output-path.js';
import {
  checkpointData,
  DISCRIMINATOR_DIR,
  DISCRIMINATOR_EMA_DIR,
  resolveCheckpoint,
  type CheckpointRef,
} from '../checkpoint/run-dir.js';
import { TrainingSet } from '../data/batches.js';
import { maybeGunzip, parseIdx, readIdxFile } from '../data/idx.js';
import { loadImageSet } from '../data/index.js';
import { UserError } from '../errors.js';
import { pct } from '../text.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { decodeNpy } from '../image.js';
import { terminal, type Log } from '../log.js';
import { classify, isClassifier } from '../ssgan/model.js';
import { startEngine } from './setup.js';
import { type Command, Option } from 'commander';
import { backendOption, ckptOption, noEmaOption, outDirOption, parsePathOption } from './options.js';

const SPLITS = ['test', 'train'] as const;

export interface ClassifyOptions {
  ckpt: string;
  split: string;
  images?: string;
  labels?: string;
  out?: string;
  ema: boolean;
  outDir: string;
  backend?: string;
}

export interface ClassifyResult {
  predictions: number[];
  accuracy: number | null;
  split: string | null;
  count: number;
}

/** The run's classifier: D's moving average when it has one and `ema`, else the raw D. */
async function loadClassifier(
  ref: CheckpointRef,
  ema: boolean,
): Promise<{ model: tf.LayersModel; weights: 'ema' | 'raw' }> {
  const averaged = join(ref.dir, DISCRIMINATOR_EMA_DIR);
  const useEma = ema && existsSync(averaged);
  const model = await loadModel(useEma ? averaged : join(ref.dir, DISCRIMINATOR_DIR));
  if (!isClassifier(model)) {
    model.dispose();
    throw new UserError(
      `${ref.dir}: this run's discriminator does not classify (it is not a semi-supervised run: train one with ` +
        'configs/ssgan.yaml)',
    );
  }
  return { model, weights: useEma ? 'ema' : 'raw' };
}

/** The bytes of --images; a directory or a missing file is a one-line error naming it. */
function readImagesFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new UserError(`--images ${path}: is a directory; expected a .npy or IDX file`);
    if (code === 'ENOENT') throw new UserError(`--images ${path}: file not found`);
    throw err;
  }
}

/** --labels must name classes the classifier has, or the accuracy would count impossible answers. */
function checkLabels(labels: Uint8Array, file: string, classes: number): void {
  const i = labels.findIndex((label) => label >= classes);
  if (i >= 0) {
    throw new UserError(
      `${file}: label ${labels[i]} at position ${i}; expected labels from 0 to ${classes - 1} ` +
        "(the classifier's classes)",
    );
  }
}

/** Images (and labels, where known) from a file or from a split of the run's dataset, in [-1, 1]. */
async function loadInputs(
  opts: ClassifyOptions,
  ref: CheckpointRef,
  shape: { height: number; width: number; channels: number; classes: number },
  io: Log,
): Promise<{ images: tf.Tensor4D; labels?: Uint8Array; split: string | null }> {
  const { height, width, channels } = shape;
  if (opts.images === undefined) {
    if (!(SPLITS as readonly string[]).includes(opts.split)) {
      throw new UserError(`--split ${opts.split}: expected one of ${SPLITS.join(', ')}`);
    }
    const set = new TrainingSet(await loadImageSet(checkpointData(ref), opts.split as 'test' | 'train', io));
    const labels = Uint8Array.from(await set.labels.data());
    set.labels.dispose();
    return { images: set.images, labels, split: opts.split };
  }
  const bytes = readImagesFile(opts.images);
  let pixels: Float32Array;
  let count: number;
  if (opts.images.endsWith('.npy')) {
    ({ pixels, count } = decodeNpy(bytes, opts.images, shape));
  } else {
    const idx = parseIdx(await maybeGunzip(bytes, opts.images), opts.images, 'images');
    if (idx.height !== height || idx.width !== width || channels !== 1) {
      throw new UserError(
        `${opts.images}: ${idx.height}×${idx.width} greyscale images; this classifier takes ` +
          `${height}×${width}×${channels}`,
      );
    }
    count = idx.count;
    pixels = Float32Array.from(idx.pixels, (v) => v / 127.5 - 1);
  }
  if (count === 0) throw new UserError(`--images ${opts.images}: holds no images; expected at least one`);
  const labels = opts.labels !== undefined ? (await readIdxFile(opts.labels, 'labels')).labels : undefined;
  if (labels && labels.length !== count) {
    throw new UserError(`${opts.labels}: ${labels.length} labels for the ${count} images of ${opts.images}`);
  }
  if (labels) checkLabels(labels, opts.labels!, shape.classes);
  return { images: tf.tensor4d(pixels, [count, height, width, channels]), labels, split: null };
}

export async function classifyCommand(opts: ClassifyOptions, io: Log): Promise<ClassifyResult> {
  if (opts.labels !== undefined && opts.images === undefined) {
    throw new UserError(`--labels ${opts.labels}: only with --images (a split brings its own labels)`);
  }
  if (opts.out !== undefined) refuseOutputInsideRun('--out', opts.out);
  const ref = resolveCheckpoint(opts.ckpt, opts.outDir);
  await startEngine(opts.backend, undefined, io, 'dense'); // the semi-supervised D
  const { model, weights } = await loadClassifier(ref, opts.ema);
  const [, height, width, channels] = model.inputs[0]!.shape as number[];
  try {
    const classes = model.outputs[0]!.shape.at(-1)!;
    const shape = { height: height!, width: width!, channels: channels!, classes };
    const { images, labels, split } = await loadInputs(opts, ref, shape, io);
    const predicted = await classify(model, images);
    images.dispose();
    const result: ClassifyResult = {
      predictions: Array.from(predicted),
      accuracy: labels ? accuracy(predicted, labels) : null,
      split,
      count: predicted.length,
    };
    const source = split ? `the ${split} split (${result.count} images)` : `${opts.images} (${result.count} images)`;
    const scored = result.accuracy === null ? 'no labels to score against' : `accuracy ${pct(result.accuracy)}`;
    io.log(`classified ${source} with ${ref.dir} (${weights} discriminator): ${scored}`);
    const name = split ?? basename(opts.images!).replace(/\.[^.]*$/, '');
    const out = opts.out ?? join(ref.runDir, `classify-${name}-epoch${String(ref.state.epoch).padStart(4, '0')}.json`);
    writeFileAtomic(out, `${JSON.stringify({ ...result, checkpoint: ref.dir, weights })}\n`);
    io.log(`wrote ${out}`);
    return result;
  } finally {
    model.dispose();
  }
}

/** `gan classify`'s command line. */
export function declareClassify(program: Command): void {
  program
    .command('classify')
    .description("a semi-supervised run's classifier on a split of its dataset or on images from a file")
    .addOption(ckptOption())
    .addOption(new Option('--split <split>', 'the dataset split to classify').choices(SPLITS).default('test'))
    .option(
      '--images <file>',
      'classify these instead: .npy (float32 in [0,1], as gan sample writes) or IDX',
      parsePathOption('--images'),
    )
    .option('--labels <file>', 'IDX labels of --images, to report accuracy', parsePathOption('--labels'))
    .option(
      '-o, --out <file>',
      'the JSON with predictions and accuracy (default: in the run directory)',
      parsePathOption('--out'),
    )
    .addOption(noEmaOption('use the raw discriminator'))
    .addOption(outDirOption())
    .addOption(backendOption())
    .action(async (opts) => {
      await classifyCommand(opts, terminal);
    });
}
