// Shared test fixtures: synthetic image sets and a way to run the real CLI.
import { spawn, spawnSync } from 'node:child_process';
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
  return {
    images,
    labels,
    count,
    height: size,
    width: size,
    channels: 1,
    classes: [...'0123456789'],
    origin: `synthetic: ${count} images`,
  };
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

/** A running `gan` process, for tests that signal it or talk to it while it works. */
export interface GanProcess {
  child: import('node:child_process').ChildProcess;
  /** Resolves with the exit code (or 128 + signal number) and the output. */
  done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
  stdout: () => string;
  stderr: () => string;
}

export function spawnGan(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): GanProcess {
  const child = spawn(process.execPath, [GAN_BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolveDone) => {
    child.on('close', (code, signal) => resolveDone({ status: code ?? -1, signal, stdout, stderr }));
  });
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

/** Polls `check` every `ms` until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean, timeoutMs = 60_000, ms = 10): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, ms));
  }
}
