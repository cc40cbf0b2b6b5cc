// Everything the report shows, read from a run directory. Reading is forgiving because the
// report is rebuilt while training writes: a half-appended metrics line, a missing config or
// a checkpoint still being published must not stop the report, only leave a part out.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BEST_JSON, LATEST_JSON, RunDir, STATE_JSON, type CheckpointState } from '../checkpoint/run-dir.js';

/** One metrics.jsonl line: epoch and whatever numbers the trainer and evaluator wrote. */
export type MetricRecord = { epoch: number } & Record<string, unknown>;

export interface SampleGrid {
  epoch: number;
  path: string;
}

/** The best checkpoint, as best.json names it; other keys (metric, value...) are kept for display. */
export interface BestPointer {
  epoch: number;
  details: Record<string, unknown>;
}

export interface RunData {
  name: string;
  root: string;
  configYaml?: string;
  /** state.json of the newest complete checkpoint. */
  state?: CheckpointState;
  metrics: MetricRecord[];
  /** Lines of metrics.jsonl that did not parse (e.g. one being appended right now). */
  skippedLines: number;
  samples: SampleGrid[];
  best?: BestPointer;
}

function readJsonOrUndefined(path: string): unknown {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * metrics.jsonl as one record per epoch. A resumed run may repeat an epoch that was logged
 * before a crash; the later line wins, as it belongs to the checkpoint that survived.
 */
export function readMetrics(path: string): { records: MetricRecord[]; skipped: number } {
  if (!existsSync(path)) return { records: [], skipped: 0 };
  const byEpoch = new Map<number, MetricRecord>();
  let skipped = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    const epoch = (record as { epoch?: unknown })?.epoch;
    if (typeof epoch !== 'number' || !Number.isInteger(epoch)) {
      skipped++;
      continue;
    }
    byEpoch.set(epoch, record as MetricRecord);
  }
  return { records: [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch), skipped };
}

/** The per-epoch fixed-noise grids (samples/epoch-NNNN.png), oldest first. */
export function listSampleGrids(samplesDir: string): SampleGrid[] {
  if (!existsSync(samplesDir)) return [];
  const grids: SampleGrid[] = [];
  for (const file of readdirSync(samplesDir)) {
    const m = /^epoch-(\d+)\.png$/.exec(file);
    if (m) grids.push({ epoch: Number(m[1]), path: join(samplesDir, file) });
  }
  return grids.sort((a, b) => a.epoch - b.epoch);
}

/** best.json: an epoch number, given as `epoch` or as a `dir` like "epoch-0007". */
export function parseBestPointer(value: unknown): BestPointer | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  const fromDir = typeof record.dir === 'string' ? /epoch-(\d+)/.exec(record.dir)?.[1] : undefined;
  const epoch = typeof record.epoch === 'number' ? record.epoch : fromDir !== undefined ? Number(fromDir) : undefined;
  if (epoch === undefined || !Number.isInteger(epoch)) return undefined;
  const details = Object.fromEntries(
    Object.entries(record).filter(([k]) => !['epoch', 'dir', 'updatedAt'].includes(k)),
  );
  return { epoch, details };
}

export function readRun(root: string): RunData {
  const run = new RunDir(root);
  const pointer = readJsonOrUndefined(join(root, LATEST_JSON)) as { dir?: string } | undefined;
  const state = pointer?.dir
    ? (readJsonOrUndefined(join(root, pointer.dir, STATE_JSON)) as CheckpointState | undefined)
    : undefined;
  const { records, skipped } = readMetrics(run.metricsPath);
  return {
    name: basename(root),
    root,
    configYaml: existsSync(run.configPath) ? readFileSync(run.configPath, 'utf8') : undefined,
    state,
    metrics: records,
    skippedLines: skipped,
    samples: listSampleGrids(run.samplesDir),
    best: parseBestPointer(readJsonOrUndefined(join(root, BEST_JSON))),
  };
}
