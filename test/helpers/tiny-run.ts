// The tiny runs the CLI tests train: configs small enough for seconds on the cpu engine, and a
// scratch workspace holding one as tiny.yaml.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dir.ts';

/** A tiny MLP run on the cpu engine (deterministic), with epochs of 8 iterations. */
export const TINY = `
data: { source: bundled, limit: 256 }
model: { arch: mlp, latent_dim: 8, g_widths: [64, 128], d_widths: [128, 64] }
train: { epochs: 3, batch_size: 32 }
sample: { grid: 4 }
backend: cpu
`;

/** A tiny semi-supervised run: 20 labels, epochs of 8 iterations. */
export const TINY_SSGAN = `
data: { source: bundled, limit: 256 }
model: { arch: ssgan, g_widths: [16, 16], d_widths: [32, 16, 16] }
train: { epochs: 2, batch_size: 32 }
ssgan: { labels: 20 }
sample: { grid: 4 }
`;

/** A new scratch directory with `config` written to tiny.yaml. */
export function tinyWorkspace(config = TINY, prefix = 'gan-tiny-'): string {
  const dir = tempDir(prefix);
  writeFileSync(join(dir, 'tiny.yaml'), config);
  return dir;
}

/** The checkpoint a run's latest.json points at (e.g. "epoch-0002"), or undefined before the first. */
export function latestDir(runRoot: string): string | undefined {
  const pointer = join(runRoot, 'latest.json');
  return existsSync(pointer) ? (JSON.parse(readFileSync(pointer, 'utf8')) as { dir: string }).dir : undefined;
}
