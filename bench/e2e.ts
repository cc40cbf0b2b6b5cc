/**
 * End-to-end figure: one epoch of the real `gan train` command (src/cli.ts,
 * run from source so it uses exactly the kernels benchmarked) on real digits
 * from IDX files, against pure iteration time × iterations from bench/case.ts.
 * The epoch time is the `seconds` the training loop writes to metrics.jsonl
 * (the batch loop: batch gathering, iterations, progress) and `step_seconds`
 * the part of it inside training iterations, measured in the same process —
 * their ratio is the loop's overhead free of the machine's drift between runs;
 * the process wall time additionally includes start-up, data loading, the
 * sample grid and the checkpoint.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The 10,000 real digits as IDX files: GAN_BENCH_DATA, else the shared data folder beside the project. */
export const MNIST_10K =
  process.env['GAN_BENCH_DATA'] ?? fileURLToPath(new URL('../../shared/data/mnist-10k', import.meta.url));

export interface EpochResult {
  engine: string;
  model: string;
  images: number;
  iterations: number;
  epochSeconds: number;
  /** Of epochSeconds, the time inside GanTrainer.trainIteration calls. */
  stepSeconds: number;
  wallSeconds: number;
}

/** Runs `gan train` for one epoch (`extraSets`: more `--set` overrides); a reason string when the data is absent. */
export function trainOneEpoch(
  engine: string,
  model: 'dcgan' | 'mlp',
  dataDir = MNIST_10K,
  limit = 0,
  extraSets: string[] = [],
): EpochResult | string {
  if (
    !existsSync(join(dataDir, 'train-images-idx3-ubyte.gz')) &&
    !existsSync(join(dataDir, 'train-images-idx3-ubyte'))
  ) {
    return `skipped: no MNIST IDX files in ${dataDir}`;
  }
  const out = mkdtempSync(join(tmpdir(), 'gan-bench-'));
  try {
    const config = model === 'mlp' ? 'configs/mlp.yaml' : 'configs/mnist.yaml';
    const sets = [
      'data.source=idx',
      `data.dir=${dataDir}`,
      `data.limit=${limit}`,
      `run.out_dir=${out}`,
      'run.name=bench',
      ...extraSets,
    ];
    const started = performance.now();
    const proc = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli.ts',
        'train',
        '--config',
        config,
        '--epochs',
        '1',
        '--backend',
        engine,
        ...sets.flatMap((s) => ['--set', s]),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const wallSeconds = (performance.now() - started) / 1000;
    if (proc.status !== 0)
      return `failed (exit ${proc.status}): ${(proc.stderr || proc.stdout).trim().split('\n').slice(-3).join(' | ')}`;
    const metrics = JSON.parse(
      readFileSync(join(out, 'bench', 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')[0]!,
    ) as {
      seconds: number;
      step_seconds: number;
      step: number;
      img_per_s: number;
    };
    return {
      engine,
      model,
      images: Math.round(metrics.img_per_s * metrics.seconds),
      iterations: metrics.step,
      epochSeconds: metrics.seconds,
      stepSeconds: metrics.step_seconds,
      wallSeconds,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
