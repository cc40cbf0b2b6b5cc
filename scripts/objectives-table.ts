// Turns the JSON lines of scripts/compare-objectives.sh into the README's markdown table:
//   npx tsx scripts/objectives-table.ts < results.jsonl
import { readFileSync } from 'node:fs';

interface Row {
  run: string;
  weights: 'ema' | 'no-ema';
  fid: number;
  score: number;
  conditional_accuracy: number | null;
  train_seconds: number;
}
const rows = readFileSync(0, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Row);
const runs = [...new Set(rows.map((r) => r.run))];
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
console.log(
  '| run | FID, EMA G | FID, raw G | score, EMA G | score, raw G | conditional accuracy (EMA / raw) | train s |',
);
console.log('|---|---|---|---|---|---|---|');
for (const run of runs) {
  const ema = rows.find((r) => r.run === run && r.weights === 'ema');
  const raw = rows.find((r) => r.run === run && r.weights === 'no-ema');
  if (!ema || !raw) continue;
  const cond =
    ema.conditional_accuracy === null ? '—' : `${pct(ema.conditional_accuracy)} / ${pct(raw.conditional_accuracy)}`;
  console.log(
    `| ${run} | ${ema.fid.toFixed(1)} | ${raw.fid.toFixed(1)} | ${ema.score.toFixed(2)} | ${raw.score.toFixed(2)} ` +
      `| ${cond} | ${ema.train_seconds} |`,
  );
}
