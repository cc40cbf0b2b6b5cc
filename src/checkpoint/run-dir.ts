// The run directory: where one training run keeps its config, metrics, sample grids and
// per-epoch checkpoints, and how `--ckpt latest|RUN|PATH` finds a checkpoint in it.
//
//   <out_dir>/<run>/config.yaml, metrics.jsonl, samples/epoch-0001.png,
//   epoch-0001/{generator,discriminator}/{model.json,weights.bin}, epoch-0001/optimizers/*,
//   epoch-0001/state.json, latest.json (written last, atomically)
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { publishDirectory, writeFileAtomic } from '../fs-atomic.js';
import { CheckpointError } from './model-io.js';

export const LATEST_JSON = 'latest.json';
export const STATE_JSON = 'state.json';

/** What a checkpoint says about itself; enough to rebuild the models and continue. */
export interface CheckpointState {
  epoch: number;
  /** Generator updates so far. */
  step: number;
  /** Discriminator updates so far. */
  dStep: number;
  seed: number;
  engine: string;
  /** The resolved run config as plain data. */
  config: Record<string, unknown>;
  imageShape: { height: number; width: number; channels: number };
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
  epochDir(epoch: number): string {
    return join(this.root, `epoch-${pad(epoch)}`);
  }
  samplePath(epoch: number): string {
    return join(this.samplesDir, `epoch-${pad(epoch)}.png`);
  }

  exists(): boolean {
    return existsSync(this.root) && readdirSync(this.root).length > 0;
  }

  prepare(): void {
    mkdirSync(this.samplesDir, { recursive: true });
  }

  /** Removes everything (`gan train --force`). */
  clear(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  appendMetrics(record: Record<string, unknown>): void {
    appendFileSync(this.metricsPath, `${JSON.stringify(record)}\n`);
  }

  /**
   * Writes one epoch's checkpoint: `write` fills a temporary directory, which is then renamed
   * into place; only after that does latest.json move forward. A crash at any moment leaves
   * latest.json pointing at a complete checkpoint.
   */
  async writeCheckpoint(state: CheckpointState, write: (dir: string) => Promise<void>): Promise<string> {
    const finalDir = this.epochDir(state.epoch);
    const tmpDir = join(this.root, `.tmp-epoch-${pad(state.epoch)}-${process.pid}`);
    rmSync(tmpDir, { recursive: true, force: true });
    mkdirSync(tmpDir, { recursive: true });
    try {
      await write(tmpDir);
      writeFileAtomic(join(tmpDir, STATE_JSON), JSON.stringify(state, null, 2));
      publishDirectory(tmpDir, finalDir);
    } catch (err) {
      rmSync(tmpDir, { recursive: true, force: true });
      throw err;
    }
    const pointer: LatestPointer = { epoch: state.epoch, dir: `epoch-${pad(state.epoch)}`, updatedAt: new Date().toISOString() };
    writeFileAtomic(join(this.root, LATEST_JSON), JSON.stringify(pointer, null, 2));
    return finalDir;
  }

  /** The newest complete checkpoint, or undefined when there is none yet. */
  latest(): CheckpointRef | undefined {
    const pointerPath = join(this.root, LATEST_JSON);
    if (!existsSync(pointerPath)) return undefined;
    const pointer = readJson<LatestPointer>(pointerPath);
    return readCheckpoint(join(this.root, pointer.dir), this.root);
  }
}

function readJson<T>(path: string): T {
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
 * a run name under outDir; a run directory path; or an epoch directory path.
 */
export function resolveCheckpoint(spec: string, outDir: string): CheckpointRef {
  if (spec === 'latest') {
    const [newest] = listRuns(outDir);
    if (!newest) throw new CheckpointError(`--ckpt latest: no checkpoints under ${outDir}/ (train first: gan train --config mnist.yaml)`);
    return new RunDir(join(outDir, newest.name)).latest()!;
  }
  for (const candidate of [join(outDir, spec), spec]) {
    if (existsSync(join(candidate, LATEST_JSON))) return new RunDir(candidate).latest()!;
    if (existsSync(join(candidate, STATE_JSON))) return readCheckpoint(candidate, resolve(candidate, '..'));
  }
  throw new CheckpointError(`--ckpt ${spec}: no such checkpoint (expected latest, a run name under ${outDir}/, a run directory or an epoch directory)`);
}
