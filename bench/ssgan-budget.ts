/**
 * Accuracy against wall time for semi-supervised runs: reads each run's metrics.jsonl (the
 * held-out accuracy `gan train` measures after every epoch, with the epoch's timestamp) and
 * prints, per checkpoint epoch, the iterations, the minutes since the run started and the test
 * accuracy of D's moving average and of the raw D — per run and as mean ± std over the runs.
 *
 *   node --import tsx bench/ssgan-budget.ts [--every 10] [--out-dir checkpoints] RUN [RUN …]
 *
 * The runs come from `gan train --config ssgan.yaml --set run.seed=S --set run.name=NAME`; the
 * accuracy is only watched while training (nothing is chosen on it), so this shows what a
 * longer or shorter budget would have bought.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { meanStd } from '../src/stats.js';

interface EpochLine {
  epoch: number;
  step: number;
  seconds: number;
  time: string;
  test_accuracy?: number;
  test_accuracy_raw?: number;
}

interface Point {
  epoch: number;
  iterations: number;
  minutes: number;
  ema: number;
  raw: number;
}

const argv = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const [value] = argv.splice(i, 2).slice(1);
  return value ?? fallback;
};
const every = Number(option('every', '10'));
const outDir = option('out-dir', 'checkpoints');
const runs = argv;
if (runs.length === 0 || !(every >= 1)) {
  process.stderr.write('usage: bench/ssgan-budget.ts [--every N] [--out-dir DIR] RUN [RUN …]\n');
  process.exit(2);
}

/** A run's accuracy curve; minutes count from the start of its first epoch. */
function curve(run: string): Point[] {
  const lines = readFileSync(join(outDir, run, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EpochLine)
    .filter((l) => l.test_accuracy !== undefined);
  if (lines.length === 0)
    throw new Error(`${run}: metrics.jsonl has no held-out accuracy (not a semi-supervised run?)`);
  const start = Date.parse(lines[0]!.time) - 1000 * lines[0]!.seconds;
  return lines.map((l) => ({
    epoch: l.epoch,
    iterations: l.step,
    minutes: (Date.parse(l.time) - start) / 60_000,
    ema: l.test_accuracy!,
    raw: l.test_accuracy_raw ?? l.test_accuracy!,
  }));
}

const curves = runs.map(curve);
const last = Math.min(...curves.map((c) => c[c.length - 1]!.epoch));
const epochs = [...new Set([...curves[0]!.map((p) => p.epoch).filter((e) => e % every === 0 || e === 1), last])]
  .filter((e) => e <= last)
  .sort((a, b) => a - b);

const pct = (v: number): string => (100 * v).toFixed(2);
const header = ['epoch', 'iterations', 'minutes (mean)', 'EMA: mean ± std', 'raw: mean ± std', ...runs];
const rows = epochs.map((epoch) => {
  const at = curves.map((c) => c.find((p) => p.epoch === epoch)!);
  const ema = meanStd(at.map((p) => p.ema));
  const raw = meanStd(at.map((p) => p.raw));
  const minutes = at.reduce((s, p) => s + p.minutes, 0) / at.length;
  return [
    String(epoch),
    String(at[0]!.iterations),
    minutes.toFixed(1),
    `${pct(ema.mean)} ± ${pct(ema.std)}`,
    `${pct(raw.mean)} ± ${pct(raw.std)}`,
    ...at.map((p) => `${pct(p.ema)} (${p.minutes.toFixed(1)} min)`),
  ];
});

console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(
  `\nTest accuracy (%) of D's moving average (EMA) and the raw D on the run's test split, over ${runs.length} ` +
    `run(s); minutes are wall time since each run's first epoch began (evaluation and checkpoints included).`,
);
