// `gan sample`: images from a trained generator, as a grid PNG, single PNGs or a .npy array.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { refuseOutputInsideRun } from '../checkpoint/output-path.js';
import { encodeGrid, encodeNpy, encodeSingle, type ImageBatch } from '../image.js';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { terminal, type Log } from '../log.js';
import { deriveSeed, Stream } from '../random.js';
import { generateImages, latentNoise, sampleLabels } from '../sampling.js';
import { openGenerator, type GeneratorOptions } from './setup.js';
import { type Command, Option } from 'commander';
import {
  backendOption,
  ckptOption,
  noEmaOption,
  outDirOption,
  parseIntOption,
  parsePathOption,
  seedOption,
  truncationOption,
} from './options.js';

const SAMPLE_FORMATS = ['grid', 'png', 'npy'] as const;
export type SampleFormat = (typeof SAMPLE_FORMATS)[number];

export interface SampleOptions extends GeneratorOptions {
  n: number;
  seed?: number;
  class?: number;
  /** Draw z from the normal truncated to [−ψ, ψ]. */
  truncation?: number;
  out?: string;
  format: string;
}

function defaultOut(runDir: string, checkpointName: string, seed: number, n: number, format: SampleFormat): string {
  const stem = join(runDir, 'samples', `sample-${checkpointName}-seed${seed}-n${n}`);
  return format === 'grid' ? `${stem}.png` : format === 'npy' ? `${stem}.npy` : stem;
}

function writeImages(images: ImageBatch, format: SampleFormat, out: string, columns: number | undefined): void {
  if (format === 'grid') writeFileAtomic(out, encodeGrid(images, columns));
  else if (format === 'npy') writeFileAtomic(out, encodeNpy(images));
  else {
    mkdirSync(out, { recursive: true });
    for (let i = 0; i < images.count; i++)
      writeFileAtomic(join(out, `${String(i).padStart(4, '0')}.png`), encodeSingle(images, i));
  }
}

export async function sampleCommand(opts: SampleOptions, io: Log): Promise<string> {
  if (!(SAMPLE_FORMATS as readonly string[]).includes(opts.format)) {
    throw new UserError(`--format ${opts.format}: expected one of ${SAMPLE_FORMATS.join(', ')}`);
  }
  const format = opts.format as SampleFormat;
  if (opts.out !== undefined) refuseOutputInsideRun('--out', opts.out);
  const { ref, model: generator, weights, info } = await openGenerator(opts, io);
  const { conditional, classes } = info;
  try {
    if (opts.class !== undefined) {
      if (!conditional) {
        throw new UserError(
          `--class ${opts.class}: ${ref.dir} holds an unconditional generator (train with model.conditional: true)`,
        );
      }
      if (opts.class >= classes)
        throw new UserError(`--class ${opts.class}: expected a class from 0 to ${classes - 1}`);
    }
    // Without --seed, draw a fresh one and print it so the result can be reproduced.
    const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
    const name = ref.dir.split(/[\\/]/).pop()!;
    const out = opts.out ?? defaultOut(ref.runDir, name, seed, opts.n, format);
    const noise = latentNoise(opts.n, info.latentDim, deriveSeed(seed, Stream.sample), opts.truncation);
    const labels = conditional ? sampleLabels(opts.n, classes, opts.class) : undefined;
    const images = await generateImages(generator, noise, labels);
    noise.dispose();
    // Conditional, all classes: one column per class, so each column is one class.
    writeImages(images, format, out, conditional && opts.class === undefined ? classes : undefined);
    const what = conditional
      ? opts.class !== undefined
        ? ` of class ${opts.class}`
        : `, classes cycling 0..${classes - 1}`
      : '';
    const truncated = opts.truncation !== undefined ? `, truncation ${opts.truncation}` : '';
    io.log(`wrote ${opts.n} samples${what} from ${ref.dir} (${weights} weights, seed ${seed}${truncated}) to ${out}`);
    return out;
  } finally {
    generator.dispose();
  }
}

/** `gan sample`'s command line. */
export function declareSample(program: Command): void {
  program
    .command('sample')
    .description('draw images from a trained generator')
    .addOption(ckptOption())
    .option('-n, --n <count>', 'number of images', parseIntOption('--n', 1, 100000), 64)
    .addOption(seedOption('noise seed (default: random, printed)'))
    .option('--class <k>', 'class to draw (conditional generators)', parseIntOption('--class', 0))
    .addOption(truncationOption())
    .addOption(noEmaOption())
    .option(
      '-o, --out <path>',
      "output file (grid, npy) or directory (png); default: in the run's samples/",
      parsePathOption('--out'),
    )
    .addOption(
      new Option(
        '--format <format>',
        'grid: one PNG grid; png: one PNG per image; npy: (n,h,w) float32 in [0,1], (n,h,w,3) for colour',
      )
        .choices(SAMPLE_FORMATS)
        .default('grid'),
    )
    .addOption(outDirOption())
    .addOption(backendOption())
    .action(async (opts) => {
      await sampleCommand(opts, terminal);
    });
}
