// Shared test fixtures: synthetic image sets and a way to run the real CLI.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { ImageSet } from '../src/data/index.ts';

export const ROOT = resolve(import.meta.dirname, '..');
export const GAN_BIN = resolve(ROOT, 'bin/gan');

/** `count` synthetic 28x28 "images": a bright bar at a class-dependent row. */
export function syntheticImageSet(count: number, size = 28): ImageSet {
  const images = new Uint8Array(count * size * size);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 10;
    labels[i] = label;
    const row = 4 + label * 2;
    for (let x = 4; x < size - 4; x++) images[i * size * size + row * size + x] = 255;
  }
  return { images, labels, count, height: size, width: size, classes: [...'0123456789'], origin: `synthetic: ${count} images` };
}

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `gan ...args` as a separate process, the way a user does. */
export function runGan(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [GAN_BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
