/**
 * `npm run bench`: training-iteration speed per engine × model, plus one
 * epoch of the real CLI. Each case runs in its own process (bench/case.ts);
 * results go to bench/results/<timestamp>.json and a table to stdout.
 *
 *   npm run bench -- [--quick] [--engine wasm,wasm:1,cpu,tensorflow,webgpu] [--model mlp,dcgan,cdcgan]
 *                    [--stock Tile,...] [--no-e2e]
 *
 * `wasm` runs with the CLI's thread count (GAN_WASM_THREADS, else one per core;
 * src/engine/wasm-threads.ts) and shows as `wasm×2` when threaded; `wasm:N`
 * forces N threads (`wasm:1` = the single-threaded binary).
 *
 * Times on shared machines drift: compare rows of one run, not across runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseResult } from './case.js';
import { MNIST_10K, trainOneEpoch, type EpochResult } from './e2e.js';
import { FLOP_FOOTNOTE } from './flops.js';
import { MODELS } from './harness.js';

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
const list = (name: string, fallback: readonly string[]): string[] => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]!.split(',') : [...fallback];
};

const QUICK = flag('quick');
// webgpu is there for GPUs: on a machine with only a software adapter it runs when named, slowly.
const ENGINES = list('engine', ['wasm', 'wasm:1', 'cpu', 'tensorflow']);
const MODEL_LIST = list('model', MODELS);
const STOCK = list('stock', []);
const BATCH = 64;

/** Timed repetitions (after warm-up) per engine × model; the cpu DCGAN takes seconds an iteration. */
function repsFor(engine: string, model: string): { reps: number; warmup: number } {
  const slow = engine === 'cpu' && model !== 'mlp';
  if (QUICK) return slow ? { reps: 2, warmup: 0 } : { reps: 5, warmup: 1 };
  return slow ? { reps: 3, warmup: 1 } : { reps: 12, warmup: 2 };
}

type Outcome = CaseResult | { engine: string; model: string; error: string };

function runCase(engineSpec: string, model: string): Outcome {
  const [engine = 'wasm', threads] = engineSpec.split(':');
  const { reps, warmup } = repsFor(engine, model);
  const proc = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/case.ts',
      '--engine',
      engine,
      ...(threads ? ['--threads', threads] : []),
      '--model',
      model,
      '--reps',
      String(reps),
      '--warmup',
      String(warmup),
      '--batch',
      String(BATCH),
      ...(STOCK.length ? ['--stock', STOCK.join(',')] : []),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 },
  );
  const line = proc.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (proc.status === 0 && line) return JSON.parse(line.slice('RESULT '.length)) as CaseResult;
  const why = (proc.stderr || proc.stdout)
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /^\w*Error: /.test(l));
  return { engine: engineSpec, model, error: why ?? `exit ${proc.status}` };
}

const f = (x: number, digits = 1): string => x.toFixed(digits);

function mainTable(results: Outcome[]): string[] {
  const lines = [
    '| engine | model | img/s | GFLOP/s | median ms (min–max) | n | first step s | peak RSS MB | tensors/step | ' +
      'kernel calls/iter |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    if ('error' in r) {
      lines.push(`| ${r.engine} | ${r.model} | — | — | ${r.error} | | | | | |`);
      continue;
    }
    const range = `${f(r.medianMs)} (${f(Math.min(...r.times))}–${f(Math.max(...r.times))})`;
    lines.push(
      `| ${r.engine} | ${r.model} | ${f(r.imgPerSec)} | ${f(r.gflops, 2)} | ${range} | ${r.reps} | ` +
        `${f(r.firstStepMs / 1000, 2)} | ${f(r.peakRssMb, 0)} | ${r.tensorsPerStep} | ${r.profile.kernelCalls} |`,
    );
  }
  return lines;
}

function profileTable(r: CaseResult, top = 10): string[] {
  // A GPU engine without timestamp queries reports no kernel times, only calls.
  const share = (ms: number) => (r.profile.kernelMs > 0 ? `${f((100 * ms) / r.profile.kernelMs)}%` : '—');
  const lines = [
    `${r.engine} ${r.model}: ${r.profile.kernelCalls} kernel calls, ${f(r.profile.kernelMs)} ms in kernels of one ` +
      `profiled iteration`,
    '| kernel | calls | ms | share |',
    '|---|---|---|---|',
  ];
  for (const k of r.profile.kernels.slice(0, top)) {
    lines.push(`| ${k.name} | ${k.calls} | ${f(k.ms)} | ${share(k.ms)} |`);
  }
  const rest = r.profile.kernels.slice(top);
  if (rest.length) {
    const ms = rest.reduce((a, k) => a + k.ms, 0);
    lines.push(`| (${rest.length} others) | ${rest.reduce((a, k) => a + k.calls, 0)} | ${f(ms)} | ${share(ms)} |`);
  }
  return lines;
}

function e2eTable(rows: Array<{ e2e: EpochResult | string; pure?: CaseResult }>): string[] {
  const lines = [
    '| engine | model | images | iterations | epoch s (loop) | of which in steps | loop overhead | bench ' +
      'iterations s | vs bench | process wall s |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { e2e, pure } of rows) {
    if (typeof e2e === 'string') {
      lines.push(`| | | | | ${e2e} | | | | | |`);
      continue;
    }
    const pureS = pure ? (pure.medianMs * e2e.iterations) / 1000 : undefined;
    const vsBench = pureS ? `${f((100 * (e2e.epochSeconds - pureS)) / pureS)}%` : '—';
    const loop = `${f((100 * (e2e.epochSeconds - e2e.stepSeconds)) / e2e.stepSeconds)}%`;
    lines.push(
      `| ${e2e.engine} | ${e2e.model} | ${e2e.images} | ${e2e.iterations} | ${f(e2e.epochSeconds, 2)} | ` +
        `${f(e2e.stepSeconds, 2)} | ${loop} | ${pureS ? f(pureS, 2) : '—'} | ${vsBench} | ${f(e2e.wallSeconds, 1)} |`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  const print = (lines: string[]) => console.log(lines.join('\n'));
  console.log(
    `gan bench — batch ${BATCH}${QUICK ? ' (quick)' : ''}; ` +
      `${new Date().toISOString()}${STOCK.length ? `; stock kernels: ${STOCK.join(', ')}` : ''}\n`,
  );
  const results: Outcome[] = [];
  for (const engine of ENGINES) {
    for (const model of MODEL_LIST) {
      const r = runCase(engine, model);
      results.push(r);
      if ('error' in r && /unavailable|not installed|failed to load/i.test(r.error)) break; // engine absent: skip its other models
    }
  }
  print(mainTable(results));
  console.log(
    `\n${FLOP_FOOTNOTE} img/s = ${BATCH} / median iteration time (one iteration = one D step on real + fake, one G ` +
      `step, EMA update); ` +
      "first step = engine start + model build + first iteration; peak RSS = the case process's maxRSS; " +
      'tensors/step = tf.memory().numTensors growth per timed iteration; kernel calls = kernels the engine ran in ' +
      'one profiled iteration.\n',
  );

  for (const r of results) if (!('error' in r)) print([...profileTable(r), '']);

  const e2eRows: Array<{ e2e: EpochResult | string; pure?: CaseResult }> = [];
  if (!flag('no-e2e')) {
    const e2eModels = (['dcgan', 'mlp'] as const).filter((m) => MODEL_LIST.includes(m));
    for (const model of e2eModels) {
      // Pure iteration time measured right before and after the CLI run (load drifts on
      // shared machines), averaged.
      const before = runCase('wasm', model);
      const e2e = trainOneEpoch('wasm', model, MNIST_10K, QUICK ? 1280 : 0);
      const after = runCase('wasm', model);
      if ('error' in before || 'error' in after) continue;
      e2eRows.push({ e2e, pure: { ...before, medianMs: (before.medianMs + after.medianMs) / 2 } });
    }
    if (e2eRows.length) {
      console.log(
        `End to end: one epoch of \`gan train\` on ${MNIST_10K}${QUICK ? ' (first 1,280 images)' : ''}. Loop ` +
          `overhead = epoch time over ` +
          'the time inside its training steps, both from the same process (metrics.jsonl); "vs bench" = epoch time ' +
          'over median iteration × ' +
          "iterations of bench/case.ts runs just before and after (other processes: includes the machine's drift " +
          'and the first, slow steps):',
      );
      print(e2eTable(e2eRows));
    }
  }

  const dir = join('bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify({ quick: QUICK, batch: BATCH, stock: STOCK, results, e2e: e2eRows.map((r) => r.e2e) }, null, 2),
  );
  console.log(`\nresults: ${file}`);
}

await main();
