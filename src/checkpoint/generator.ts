// Loading the generator a checkpoint offers for inference: the EMA copy when it has one
// (smoother, usually better samples), else the raw generator that trained.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { loadModel } from './model-io.js';
import { GENERATOR_DIR, GENERATOR_EMA_DIR, type CheckpointRef } from './run-dir.js';

export interface LoadedGenerator {
  model: tf.LayersModel;
  /** Which weights: "ema" or "raw". */
  weights: 'ema' | 'raw';
  dir: string;
}

/** `useEma` (default true) takes generator-ema/ when the checkpoint has it. */
export async function loadGenerator(ref: CheckpointRef, useEma = true): Promise<LoadedGenerator> {
  const emaDir = join(ref.dir, GENERATOR_EMA_DIR);
  if (useEma && existsSync(emaDir)) return { model: await loadModel(emaDir), weights: 'ema', dir: emaDir };
  const dir = join(ref.dir, GENERATOR_DIR);
  return { model: await loadModel(dir), weights: 'raw', dir };
}
