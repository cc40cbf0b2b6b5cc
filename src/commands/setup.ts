// How commands start: the engine (with its one-line report), and for the commands that use a
// trained generator, the checkpoint and the generator in it.
import type * as tf from '@tensorflow/tfjs';
import { loadGenerator } from '../checkpoint/generator.js';
import { resolveCheckpoint, type CheckpointRef } from '../checkpoint/run-dir.js';
import { describeEngine, requestedEngine, selectEngine, type Engine, type Workload } from '../engine/index.js';
import type { Log } from '../log.js';
import { describeGenerator, type GeneratorInfo } from '../sampling.js';

/** `workload`: what the command mostly computes (src/engine/select.ts; decides the wasm threads). */
export async function startEngine(
  flag: string | undefined,
  configValue: string | undefined,
  io: Log,
  workload?: Workload,
): Promise<Engine> {
  const engine = await selectEngine(requestedEngine(flag, configValue), workload);
  io.log(describeEngine(engine));
  return engine;
}

export interface GeneratorOptions {
  ckpt: string;
  outDir: string;
  backend?: string;
  /** The moving-average weights when the checkpoint has them (default), else the raw ones. */
  ema: boolean;
}

export interface OpenedGenerator {
  ref: CheckpointRef;
  engine: Engine;
  model: tf.LayersModel;
  weights: 'ema' | 'raw';
  info: GeneratorInfo;
}

/** Resolves --ckpt, starts the engine and loads the generator; the caller disposes `model`. */
export async function openGenerator(opts: GeneratorOptions, io: Log): Promise<OpenedGenerator> {
  const ref = resolveCheckpoint(opts.ckpt, opts.outDir);
  const engine = await startEngine(opts.backend, undefined, io);
  const { model, weights } = await loadGenerator(ref, opts.ema);
  return { ref, engine, model, weights, info: describeGenerator(model) };
}
