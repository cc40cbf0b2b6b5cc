// `gan sample`: images from a trained generator, as a grid PNG, single PNGs or a .npy array.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { encodeGrid, encodeNpy, encodeSingle } from '../image.js';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { loadModel } from '../checkpoint/model-io.js';
import { resolveCheckpoint } from '../checkpoint/run-dir.js';
import { deriveSeed, Stream } from '../random.js';
import { generateImages, latentNoise } from '../sampling.js';
import { GENERATOR_DIR } from '../train/loop.js';
import { startEngine } from './engine.js';
import type { CommandIO } from './train.js';

export const SAMPLE_FORMATS = ['grid', 'png', 'npy'] as const;
export type SampleFormat = (typeof SAMPLE_FORMATS)[number];

export interface SampleOptions {
  ckpt: string;
  n: number;
  seed?: number;
  out?: string;
  format: string;
  outDir: string;
  backend?: string;
}

function defaultOut(runDir: string, epoch: number, seed: number, n: number, format: SampleFormat): string {
  const stem = join(runDir, 'samples', `sample-epoch${String(epoch).padStart(4, '0')}-seed${seed}-n${n}`);
  return format === 'grid' ? `${stem}.png` : format === 'npy' ? `${stem}.npy` : stem;
}

export async function sampleCommand(opts: SampleOptions, io: CommandIO): Promise<string> {
  if (!(SAMPLE_FORMATS as readonly string[]).includes(opts.format)) {
    throw new UserError(`--format ${opts.format}: expected one of ${SAMPLE_FORMATS.join(', ')}`);
  }
  const format = opts.format as SampleFormat;
  const ref = resolveCheckpoint(opts.ckpt, opts.outDir);
  await startEngine(opts.backend, undefined, io.log);
  const generator = await loadModel(join(ref.dir, GENERATOR_DIR));
  const latentDim = generator.inputs[0]!.shape[1] as number;
  // Without --seed, draw a fresh one and print it so the result can be reproduced.
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
  const out = opts.out ?? defaultOut(ref.runDir, ref.state.epoch, seed, opts.n, format);
  const noise = latentNoise(opts.n, latentDim, deriveSeed(seed, Stream.sample));
  const images = await generateImages(generator, noise);
  noise.dispose();
  generator.dispose();

  if (format === 'grid') writeFileAtomic(out, encodeGrid(images));
  else if (format === 'npy') writeFileAtomic(out, encodeNpy(images));
  else {
    mkdirSync(out, { recursive: true });
    for (let i = 0; i < images.count; i++) writeFileAtomic(join(out, `${String(i).padStart(4, '0')}.png`), encodeSingle(images, i));
  }
  io.log(`wrote ${opts.n} samples from ${ref.dir} (seed ${seed}) to ${out}`);
  return out;
}
