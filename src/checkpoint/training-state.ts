// The whole training state in and out of a checkpoint: G, D, the generator average, both
// optimizers (with Adam's β powers), the update counters and where the epoch loop stands.
// What saveTrainingState writes, restoreTrainingState reads back, so a resumed run continues
// exactly as an uninterrupted one would (bit for bit on the cpu engine).
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseSavedConfig, type Config } from '../config.js';
import { UserError } from '../errors.js';
import type { ImageShape } from '../models/types.js';
import { CheckpointError, loadModel, saveModel } from './model-io.js';
import { loadOptimizer, saveOptimizer } from './optimizer-io.js';
import {
  DISCRIMINATOR_DIR,
  DISCRIMINATOR_EMA_DIR,
  GENERATOR_DIR,
  GENERATOR_EMA_DIR,
  OPTIMIZER_DIR,
  type CheckpointRef,
  type CheckpointState,
  type PartialSums,
  type RunDir,
} from './run-dir.js';

/** What a checkpoint holds of a trainer (a GanTrainer is one). */
export interface TrainingState {
  models: { generator: tf.LayersModel; discriminator: tf.LayersModel; imageShape: ImageShape };
  ema?: { model: tf.LayersModel };
  /** A semi-supervised run's discriminator average: the classifier it keeps. */
  discriminatorEma?: { model: tf.LayersModel };
  gOptimizer: tf.Optimizer;
  dOptimizer: tf.Optimizer;
  counters: { step: number; dStep: number };
}

/** Where the epoch loop stands: completed epochs, iterations done in the next one, its running sums. */
export interface LoopPosition {
  epoch: number;
  iteration: number;
  partialSums?: PartialSums;
}

export const FRESH_START: LoopPosition = { epoch: 0, iteration: 0 };

/** Config keys whose change makes a saved run's checkpoint meaningless to continue. */
const RESUME_BREAKING = [
  'model',
  'data.dataset',
  'data.dir',
  'data.limit',
  'data.source',
  'data.size',
  'data.channels',
  'run.seed',
  'ssgan.labels',
  'train.batch_size',
  'train.d_steps',
  'train.loss',
];

function valueAt(obj: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/**
 * The checkpoint a `--resume` continues from: the run's latest, if the config still describes
 * the same training and has epochs left. The saved config gets today's defaults first, so a key
 * added since it was saved compares equal to its default instead of "changed".
 */
export function resumePoint(runDir: RunDir, config: Config): CheckpointRef {
  const ref = runDir.latest();
  if (!ref) throw new UserError(`--resume: ${runDir.root} has no complete checkpoint to resume from`);
  const parsed = parseSavedConfig(ref.state.config);
  const saved = parsed.success ? parsed.data : ref.state.config;
  const changed = RESUME_BREAKING.filter(
    (key) => JSON.stringify(valueAt(config, key)) !== JSON.stringify(valueAt(saved, key)),
  );
  if (changed.length > 0) {
    const shown = (value: unknown) => (value === undefined ? '(not set)' : JSON.stringify(value));
    const diffs = changed.map((k) => `${k}: ${shown(valueAt(saved, k))} -> ${shown(valueAt(config, k))}`);
    throw new UserError(
      `--resume: ${changed.join(', ')} changed since ${ref.dir} was saved (${diffs.join('; ')}); ` +
        'start a new run with --set run.name=NEW instead',
    );
  }
  if (ref.state.epoch >= config.train.epochs) {
    throw new UserError(
      `--resume: ${runDir.root} already finished epoch ${ref.state.epoch} of train.epochs=${config.train.epochs}; ` +
        'raise it with --epochs N',
    );
  }
  return ref;
}

/** Writes the state as one checkpoint of `runDir` (atomically) and returns its directory. */
export async function saveTrainingState(
  state: TrainingState,
  runDir: RunDir,
  at: LoopPosition & { metrics?: Record<string, unknown> },
  meta: { config: Config; engine: string },
): Promise<string> {
  const checkpoint: CheckpointState = {
    epoch: at.epoch,
    iteration: at.iteration,
    ...(at.partialSums ? { partialSums: at.partialSums } : {}),
    ...(at.metrics ? { metrics: at.metrics } : {}),
    step: state.counters.step,
    dStep: state.counters.dStep,
    seed: meta.config.run.seed,
    engine: meta.engine,
    config: meta.config as unknown as Record<string, unknown>,
    imageShape: state.models.imageShape,
    savedAt: new Date().toISOString(),
  };
  // Between files the event loop turns, so a second Ctrl-C is heard even mid-checkpoint.
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  return runDir.writeCheckpoint(checkpoint, async (dir) => {
    await saveModel(state.models.generator, join(dir, GENERATOR_DIR));
    await turn();
    await saveModel(state.models.discriminator, join(dir, DISCRIMINATOR_DIR));
    await turn();
    if (state.ema) await saveModel(state.ema.model, join(dir, GENERATOR_EMA_DIR));
    if (state.discriminatorEma) await saveModel(state.discriminatorEma.model, join(dir, DISCRIMINATOR_EMA_DIR));
    const optDir = join(dir, OPTIMIZER_DIR);
    mkdirSync(optDir, { recursive: true });
    await turn();
    await saveOptimizer(state.gOptimizer, optDir, 'generator');
    await turn();
    await saveOptimizer(state.dOptimizer, optDir, 'discriminator');
  });
}

/** Copies a saved model's weights into `target`, which must have the same architecture. */
async function loadWeightsInto(target: tf.LayersModel, dir: string): Promise<void> {
  const saved = await loadModel(dir);
  try {
    const weights = saved.getWeights();
    const expected = target.weights.map((w) => w.shape.join('×'));
    const found = weights.map((w) => w.shape.join('×'));
    if (JSON.stringify(expected) !== JSON.stringify(found)) {
      throw new CheckpointError(`${dir}: weights [${found.join(', ')}] do not fit the model [${expected.join(', ')}]`);
    }
    target.setWeights(weights);
  } finally {
    saved.dispose();
  }
}

/**
 * Loads checkpoint `ref` into a freshly built trainer of the same config and returns where the
 * loop continues. It only reads: a resume refused after it leaves the run as it was
 * (`alignRunDir` makes the run directory agree with the checkpoint once every check passed).
 */
export async function restoreTrainingState(state: TrainingState, ref: CheckpointRef): Promise<LoopPosition> {
  const { height, width, channels = 1 } = ref.state.imageShape;
  const now = state.models.imageShape;
  if (height !== now.height || width !== now.width || channels !== now.channels) {
    throw new UserError(
      `--resume: ${ref.dir} was trained on ${height}x${width}x${channels} images, the data now has ` +
        `${now.height}x${now.width}x${now.channels}`,
    );
  }
  await loadWeightsInto(state.models.generator, join(ref.dir, GENERATOR_DIR));
  await loadWeightsInto(state.models.discriminator, join(ref.dir, DISCRIMINATOR_DIR));
  // An average the checkpoint lacks (it was off when it was saved) starts at its network.
  for (const [average, network, dir] of [
    [state.ema, state.models.generator, GENERATOR_EMA_DIR],
    [state.discriminatorEma, state.models.discriminator, DISCRIMINATOR_EMA_DIR],
  ] as const) {
    if (!average) continue;
    if (existsSync(join(ref.dir, dir))) await loadWeightsInto(average.model, join(ref.dir, dir));
    else average.model.setWeights(network.getWeights());
  }
  await loadOptimizer(state.gOptimizer, join(ref.dir, OPTIMIZER_DIR), 'generator');
  await loadOptimizer(state.dOptimizer, join(ref.dir, OPTIMIZER_DIR), 'discriminator');
  state.counters.step = ref.state.step;
  state.counters.dStep = ref.state.dStep;
  return { epoch: ref.state.epoch, iteration: ref.state.iteration ?? 0, partialSums: ref.state.partialSums };
}

/**
 * Before a resumed run writes anything else: metrics.jsonl keeps the lines up to checkpoint
 * `ref`, and checkpoints a kill left beyond `run.keep` are pruned.
 */
export function alignRunDir(runDir: RunDir, ref: CheckpointRef, keep: number): void {
  runDir.repairMetrics(ref);
  // A run killed between publishing a checkpoint and pruning left one extra behind; without
  // this, kills at that moment in successive runs would let extras pile up.
  runDir.prune(keep);
}
