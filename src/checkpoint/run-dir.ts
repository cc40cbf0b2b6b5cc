// The run directory: where one training run keeps its config, metrics, sample grids and
// per-epoch checkpoints, and how `--ckpt latest|RUN|PATH` finds a checkpoint in it.
//
//   <out_dir>/<run>/config.yaml, metrics.jsonl, samples/epoch-0001.png,
//   epoch-0001/{generator,generator-ema,discriminator}/{model.json,weights.bin},
//   epoch-0001/optimizers/*, epoch-0001/state.json, latest.json (written last, atomically),
//   best.json, .lock (while a process trains it)
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { configSchema, type DataConfig } from '../config.js';
import { publishDirectory, writeFileAtomic } from '../fs-atomic.js';
import type { ImageShape } from '../models/types.js';
import { LOCK_FILE } from './lock.js';
import { CheckpointError } from './model-io.js';
import { faultInjectionPause } from './fault-injection.js';

export const LATEST_JSON = 'latest.json';
export const STATE_JSON = 'state.json';
export const BEST_JSON = 'best.json';
/** A semi-supervised run: which training images kept their labels. */
export const LABELLED_JSON = 'labelled.json';
export const GENERATOR_DIR = 'generator';
export const GENERATOR_EMA_DIR = 'generator-ema';
export const DISCRIMINATOR_DIR = 'discriminator';
export const DISCRIMINATOR_EMA_DIR = 'discriminator-ema';
export const OPTIMIZER_DIR = 'optimizers';

/** The running sums of an epoch's diagnostics, kept in a checkpoint written mid-epoch. */
export interface PartialSums {
  dLoss: number;
  gLoss: number;
  dReal: number;
  dFake: number;
  seconds: number;
  /** Time inside training iterations (absent in checkpoints written before it was kept). */
  stepSeconds?: number;
}

/** What a checkpoint says about itself; enough to rebuild the models and continue. */
export interface CheckpointState {
  /** Completed epochs. */
  epoch: number;
  /**
   * Iterations already done in epoch `epoch + 1` (0 at an epoch boundary; > 0 only for a
   * checkpoint written on an interrupt), with the running sums of that epoch's diagnostics.
   */
  iteration: number;
  partialSums?: PartialSums;
  /** The metrics.jsonl line of the epoch this checkpoint completes. */
  metrics?: Record<string, unknown>;
  /** Generator updates so far. */
  step: number;
  /** Discriminator updates so far. */
  dStep: number;
  seed: number;
  engine: string;
  /** The resolved run config as plain data. */
  config: Record<string, unknown>;
  imageShape: ImageShape;
  savedAt: string;
}

interface LatestPointer {
  epoch: number;
  dir: string;
  updatedAt: string;
}

/** A located checkpoint: its run and its epoch directory. */
export interface CheckpointRef {
  runDir: string;
  dir: string;
  state: CheckpointState;
}

const pad = (epoch: number) => String(epoch).padStart(4, '0');

export class RunDir {
  constructor(readonly root: string) {}

  get configPath(): string {
    return join(this.root, 'config.yaml');
  }
  get metricsPath(): string {
    return join(this.root, 'metrics.jsonl');
  }
  get samplesDir(): string {
    return join(this.root, 'samples');
  }
  /** `epoch-0003` at an epoch boundary; `epoch-0003-it00050` for an interrupted epoch 4. */
  checkpointName(state: Pick<CheckpointState, 'epoch' | 'iteration'>): string {
    return state.iteration > 0
      ? `epoch-${pad(state.epoch)}-it${String(state.iteration).padStart(5, '0')}`
      : `epoch-${pad(state.epoch)}`;
  }
  epochDir(epoch: number): string {
    return join(this.root, this.checkpointName({ epoch, iteration: 0 }));
  }
  samplePath(epoch: number): string {
    return join(this.samplesDir, `epoch-${pad(epoch)}.png`);
  }

  /** True when the run has anything in it besides the lock of the process now opening it. */
  exists(): boolean {
    return existsSync(this.root) && readdirSync(this.root).some((name) => name !== LOCK_FILE);
  }

  /** Creates the layout and removes temporary checkpoints a killed process left behind. */
  prepare(): void {
    mkdirSync(this.samplesDir, { recursive: true });
    for (const name of readdirSync(this.root)) {
      if (name.startsWith('.tmp-')) rmSync(join(this.root, name), { recursive: true, force: true });
    }
  }

  /** Removes everything but the lock (`gan train --force`). */
  clear(): void {
    for (const name of readdirSync(this.root)) {
      if (name !== LOCK_FILE) rmSync(join(this.root, name), { recursive: true, force: true });
    }
  }

  appendMetrics(record: Record<string, unknown>): void {
    appendFileSync(this.metricsPath, `${JSON.stringify(record)}\n`);
  }

  /**
   * Before resuming from `ref`: metrics.jsonl keeps exactly the lines of epochs up to the
   * checkpoint's — lines from work after it (which will be redone) are dropped, and a line lost
   * to a crash between the checkpoint and the append is restored from the checkpoint.
   */
  repairMetrics(ref: CheckpointRef): void {
    const lines = existsSync(this.metricsPath)
      ? readFileSync(this.metricsPath, 'utf8')
          .split('\n')
          .filter((l) => l.trim())
      : [];
    const kept: string[] = [];
    for (const line of lines) {
      let epoch: unknown;
      try {
        epoch = (JSON.parse(line) as { epoch?: unknown }).epoch;
      } catch {
        continue; // a torn last line from a crash mid-append
      }
      if (typeof epoch === 'number' && epoch <= ref.state.epoch) kept.push(line);
    }
    const hasLast = kept.some((l) => (JSON.parse(l) as { epoch: number }).epoch === ref.state.epoch);
    if (!hasLast && ref.state.metrics && ref.state.iteration === 0) kept.push(JSON.stringify(ref.state.metrics));
    writeFileAtomic(this.metricsPath, kept.map((l) => `${l}\n`).join(''));
  }

  /**
   * Writes one epoch's checkpoint: `write` fills a temporary directory, which is then renamed
   * into place; only after that does latest.json move forward. A crash at any moment leaves
   * latest.json pointing at a complete checkpoint.
   */
  async writeCheckpoint(state: CheckpointState, write: (dir: string) => Promise<void>): Promise<string> {
    const name = this.checkpointName(state);
    const finalDir = join(this.root, name);
    const tmpDir = join(this.root, `.tmp-${name}-${process.pid}`);
    rmSync(tmpDir, { recursive: true, force: true });
    mkdirSync(tmpDir, { recursive: true });
    try {
      await write(tmpDir);
      writeFileAtomic(join(tmpDir, STATE_JSON), JSON.stringify(state, null, 2));
      await faultInjectionPause();
      publishDirectory(tmpDir, finalDir);
    } catch (err) {
      rmSync(tmpDir, { recursive: true, force: true });
      throw err;
    }
    const pointer: LatestPointer = { epoch: state.epoch, dir: name, updatedAt: new Date().toISOString() };
    writeFileAtomic(join(this.root, LATEST_JSON), JSON.stringify(pointer, null, 2));
    return finalDir;
  }

  /**
   * Points best.json at `dir` when `fid` beats the best so far. `prune` never deletes the
   * checkpoint it names, so the pointer always names a complete checkpoint.
   */
  offerBest(epoch: number, dir: string, fid: number): boolean {
    const path = join(this.root, BEST_JSON);
    const current = existsSync(path) ? readJson<{ fid?: number }>(path) : undefined;
    if (current?.fid !== undefined && current.fid <= fid) return false;
    writeFileAtomic(
      path,
      JSON.stringify({ epoch, dir: basename(dir), metric: 'fid', fid, updatedAt: new Date().toISOString() }, null, 2),
    );
    return true;
  }

  /**
   * Deletes all but the newest `keep` checkpoints, never the one latest.json or best.json names.
   * Runs after latest.json moved on, so a crash mid-way only leaves extra checkpoints behind.
   */
  prune(keep: number): void {
    if (keep <= 0) return;
    const protectedDirs = new Set([this.pointerDir(LATEST_JSON), this.pointerDir(BEST_JSON)]);
    const checkpoints = readdirSync(this.root)
      .filter((name) => /^epoch-\d+(-it\d+)?$/.test(name))
      .sort(); // zero-padded names sort in training order
    for (const name of checkpoints.slice(0, Math.max(0, checkpoints.length - keep))) {
      if (!protectedDirs.has(name)) rmSync(join(this.root, name), { recursive: true, force: true });
    }
  }

  private pointerDir(file: string): string | undefined {
    const path = join(this.root, file);
    return existsSync(path) ? readJson<{ dir: string }>(path).dir : undefined;
  }

  /** The checkpoint with the best FID so far, when evaluation ran. */
  best(): CheckpointRef | undefined {
    const path = join(this.root, BEST_JSON);
    if (!existsSync(path)) return undefined;
    return readCheckpoint(join(this.root, readJson<{ dir: string }>(path).dir), this.root);
  }

  /** The newest complete checkpoint, or undefined when there is none yet. */
  latest(): CheckpointRef | undefined {
    const pointerPath = join(this.root, LATEST_JSON);
    if (!existsSync(pointerPath)) return undefined;
    const pointer = readJson<LatestPointer>(pointerPath);
    return readCheckpoint(join(this.root, pointer.dir), this.root);
  }
}

/** A JSON file of a run; a torn or unreadable one is a CheckpointError naming it. */
export function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new CheckpointError(`${path}: unreadable (${(err as Error).message.split('\n')[0]})`);
  }
}

function readCheckpoint(dir: string, runDir: string): CheckpointRef {
  const statePath = join(dir, STATE_JSON);
  if (!existsSync(statePath)) throw new CheckpointError(`${dir}: not a checkpoint (no ${STATE_JSON})`);
  return { runDir, dir, state: readJson<CheckpointState>(statePath) };
}

/** The data section a checkpoint was trained with, defaults filled in: which dataset to compare it with. */
export function checkpointData(ref: CheckpointRef): DataConfig {
  const parsed = configSchema.shape.data.safeParse(ref.state.config?.data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CheckpointError(
      `${join(ref.dir, STATE_JSON)}: config.data.${issue.path.join('.')}: ${issue.message} ` +
        '(cannot tell which dataset to evaluate against)',
    );
  }
  return parsed.data;
}

/** Run directories under `outDir` that have at least one complete checkpoint, newest first. */
export function listRuns(outDir: string): { name: string; updatedAt: string }[] {
  if (!existsSync(outDir)) return [];
  const runs: { name: string; updatedAt: string }[] = [];
  for (const name of readdirSync(outDir)) {
    const pointerPath = join(outDir, name, LATEST_JSON);
    if (!existsSync(pointerPath)) continue;
    let updatedAt: string;
    try {
      updatedAt = readJson<LatestPointer>(pointerPath).updatedAt;
    } catch {
      updatedAt = statSync(pointerPath).mtime.toISOString();
    }
    runs.push({ name, updatedAt });
  }
  return runs.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
}

/**
 * `--ckpt` resolution: `latest` = newest complete checkpoint of the newest run in outDir;
 * `best` = that run's best-FID checkpoint (`RUN/best` for another run); a run name under
 * outDir; a run directory path; or an epoch directory path. Errors name `option`, the flag (or
 * argument) that gave `spec`.
 */
export function resolveCheckpoint(spec: string, outDir: string, option = '--ckpt'): CheckpointRef {
  const given = `${option} ${spec === '' ? "''" : spec}`;
  if (spec === 'latest' || spec === 'best') {
    const [newest] = listRuns(outDir);
    if (!newest)
      throw new CheckpointError(
        `${given}: no checkpoints under ${outDir}/ (train first: gan train --config mnist.yaml)`,
      );
    const run = new RunDir(join(outDir, newest.name));
    if (spec === 'latest') return run.latest()!;
    const best = run.best();
    if (!best)
      throw new CheckpointError(
        `${given}: run ${newest.name} has no best checkpoint (set eval.every to evaluate during training)`,
      );
    return best;
  }
  const bestOf = /^(.+)[/:]best$/.exec(spec);
  if (bestOf) {
    const run = new RunDir(existsSync(join(outDir, bestOf[1]!)) ? join(outDir, bestOf[1]!) : bestOf[1]!);
    const best = run.best();
    if (!best)
      throw new CheckpointError(
        `${given}: no best checkpoint in ${run.root} (set eval.every to evaluate during training)`,
      );
    return best;
  }
  for (const candidate of [join(outDir, spec), spec]) {
    if (existsSync(join(candidate, LATEST_JSON))) return new RunDir(candidate).latest()!;
    if (existsSync(join(candidate, STATE_JSON))) return readCheckpoint(candidate, resolve(candidate, '..'));
  }
  throw new CheckpointError(
    `${given}: no such checkpoint (expected latest, a run name under ${outDir}/, a run directory or an epoch ` +
      `directory)`,
  );
}
