/**
 * `npm run bench:ssgan`: iterations per second of the semi-supervised GAN (`configs/ssgan.yaml`)
 * on our wasm engine against a plain PyTorch CPU port of the same recipe (bench/ssgan-torch.py),
 * alternated round by round in one run so the machine's drift hits both alike. PyTorch runs at 1
 * and 2 threads; the ratio is against the faster. Without an importable torch (Debian:
 * `apt-get install python3-torch libopenblas0-pthread`) only our rate is printed.
 *
 *   npm run bench:ssgan -- [--rounds 3] [--iters 40]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadConfig } from '../src/config.js';
import { arg, median } from './harness.js';

const rounds = Number(arg('rounds', '3'));
const iters = arg('iters', '40');
const IMAGES = '../shared/data/mnist-10k/train-images-idx3-ubyte.gz';

/** The first Python that imports torch: Debian's, then the one on PATH. */
function torchPython(): string | undefined {
  return ['/usr/bin/python3', 'python3'].find(
    (python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
  );
}

function rate(command: string, args: string[]): number {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (r.status !== 0 || !line) throw new Error(`${command} ${args.join(' ')} failed:\n${r.stderr}`);
  return (JSON.parse(line.slice(7)) as { itPerSec: number }).itPerSec;
}

const python = torchPython();
// The same recipe on both sides: the port reads the config's terms that change an iteration's work.
const { consistency } = loadConfig('configs/ssgan.yaml').config.ssgan;
const torchArgs = (threads: number) => [
  'bench/ssgan-torch.py',
  '--iters',
  iters,
  '--threads',
  String(threads),
  '--consistency',
  String(consistency),
  ...(existsSync(IMAGES) ? ['--images', IMAGES] : []),
];
const rows: { ours: number; torch1?: number; torch2?: number }[] = [];
for (let round = 1; round <= rounds; round++) {
  const ours = rate(process.execPath, ['--import', 'tsx', 'bench/ssgan-speed.ts', '--iters', iters]);
  const torch1 = python ? rate(python, torchArgs(1)) : undefined;
  const torch2 = python ? rate(python, torchArgs(2)) : undefined;
  rows.push({ ours, torch1, torch2 });
  const best = Math.max(torch1 ?? 0, torch2 ?? 0);
  console.log(
    `round ${round}: gan (wasm) ${ours.toFixed(2)} it/s` +
      (python ? `, PyTorch ×1 ${torch1!.toFixed(2)}, ×2 ${torch2!.toFixed(2)}; ratio ${(ours / best).toFixed(2)}` : ''),
  );
}
const ratios = rows.map((r) => r.ours / Math.max(r.torch1 ?? 0, r.torch2 ?? 0));
const med = (pick: (r: (typeof rows)[number]) => number) => median(rows.map(pick)).toFixed(2);
const torch = python
  ? `, PyTorch ×1 ${med((r) => r.torch1!)}, ×2 ${med((r) => r.torch2!)}; ` +
    `gan / best PyTorch ${median(ratios).toFixed(2)}×`
  : ' (no PyTorch: python3-torch not installed)';
console.log(`median: gan ${med((r) => r.ours)} it/s${torch}`);
