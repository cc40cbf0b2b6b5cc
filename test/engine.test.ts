import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statSync } from 'node:fs';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { describeEngine, engineDetails, requestedEngine, selectEngine } from '../src/engine/select.ts';
import { UserError } from '../src/errors.ts';
import { MAX_WASM_THREADS, wasmThreadsWanted } from '../src/engine/wasm-threads.ts';
import { runGan } from './helpers.ts';

// This file tests tfjs's own wasm thread pool without a BLAS beside it (blas.test.ts: with one).
process.env.GAN_BLAS = 'off';

test('auto picks the best engine that loads and says why the native ones were skipped', async () => {
  // What auto should pick, found independently: the native engine exactly when a tfjs-node package loads.
  const load = (name: string) => import(name);
  const native = await Promise.any([load('@tensorflow/tfjs-node-gpu'), load('@tensorflow/tfjs-node')]).then(
    () => true,
    () => false,
  );
  const engine = await selectEngine('auto');
  assert.equal(engine.name, native ? 'tensorflow' : 'wasm');
  assert.equal(tf.getBackend(), engine.name, 'the engine named is the backend tfjs runs');
  if (engine.name !== 'tensorflow') {
    assert.match(
      engine.skipped.map((s) => s.detail).join('\n'),
      /@tensorflow\/tfjs-node-gpu (not installed|failed to load)/,
    );
    // One short line: the engine, its threads, and why not a better one in a few words.
    const line = describeEngine(engine);
    assert.match(
      line,
      /^engine: wasm(, \d+ threads)? \(tfjs-node-gpu(, tfjs-node)? (not installed|failed to load).*; see gan doctor\)$/,
    );
    assert.ok(line.length <= 120, `${line.length} characters: ${line}`);
    assert.match(
      engineDetails(engine).join('\n'),
      /^not used: @tensorflow\/tfjs-node-gpu (not installed|failed to load)/m,
    );
  }
});

test('a named engine is used as asked, and an unavailable one is an error, not a fallback', async () => {
  const cpu = await selectEngine('cpu');
  assert.equal(cpu.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  let nativeOk = true;
  try {
    await selectEngine('tensorflow');
  } catch (err) {
    nativeOk = false;
    assert.ok(err instanceof UserError);
    assert.match(
      err.message,
      /^--backend tensorflow: engine unavailable \(@tensorflow\/tfjs-node-gpu (not installed|failed to load)/,
    );
  }
  if (!nativeOk) assert.equal(tf.getBackend(), 'cpu', 'a failed request leaves the engine as it was');
  await selectEngine('wasm');
  assert.equal(tf.getBackend(), 'wasm');
});

test('loading wasm leaves no process-wide rethrowing error handlers behind', async () => {
  await selectEngine('wasm');
  assert.equal(process.listeners('unhandledRejection').filter((l) => /throw reason/.test(String(l))).length, 0);
  assert.equal(process.listeners('uncaughtException').filter((l) => /ExitStatus/.test(String(l))).length, 0);
});

test('engine request precedence: flag, then GAN_BACKEND, then config; bad names rejected', () => {
  const saved = process.env.GAN_BACKEND;
  try {
    delete process.env.GAN_BACKEND;
    assert.equal(requestedEngine(undefined, 'cpu'), 'cpu');
    assert.equal(requestedEngine(undefined, undefined), 'auto');
    process.env.GAN_BACKEND = 'wasm';
    assert.equal(requestedEngine(undefined, 'cpu'), 'wasm');
    assert.equal(requestedEngine('cpu', 'auto'), 'cpu');
    process.env.GAN_BACKEND = 'gpu';
    assert.throws(
      () => requestedEngine(undefined, 'auto'),
      /^UserError: GAN_BACKEND gpu: unknown engine \(expected one of auto, tensorflow, webgpu, wasm, cpu\)$/,
    );
  } finally {
    if (saved === undefined) delete process.env.GAN_BACKEND;
    else process.env.GAN_BACKEND = saved;
  }
});

test(
  'wasm runs one thread per core by default; GAN_WASM_THREADS chooses, and a bad value is a one-line ' + 'error',
  async () => {
    // This process started wasm through selectEngine with no GAN_WASM_THREADS set (see above).
    const engine = await selectEngine('wasm');
    const cores = Math.min(MAX_WASM_THREADS, os.availableParallelism());
    assert.equal(engine.threads, cores, 'the threaded binary started with one thread per core (at most 8)');
    const workerDir = `${os.tmpdir()}/gan-tfjs-wasm-${process.getuid?.() ?? 'user'}`;
    if (cores > 1) assert.equal(statSync(workerDir).mode & 0o077, 0, 'the worker script lives in a private directory');
    if (cores > 1) assert.match(describeEngine(engine), new RegExp(`^engine: wasm, ${cores} threads`));

    assert.equal(wasmThreadsWanted({ GAN_WASM_THREADS: '3' }), 3);
    assert.equal(wasmThreadsWanted({}), cores);
    for (const bad of ['0', 'two', '1.5', '-1', '9']) {
      assert.throws(
        () => wasmThreadsWanted({ GAN_WASM_THREADS: bad }),
        new RegExp(
          `^UserError: GAN_WASM_THREADS ${bad.replace('.', '\\.')}: expected a whole number of threads from 1 to 8$`,
        ),
      );
    }
    const single = runGan(['doctor', '--backend', 'wasm'], { env: { GAN_WASM_THREADS: '1' } });
    assert.equal(single.status, 0, single.stderr);
    assert.match(single.stdout, /^engine: wasm via /m);
    // Our SIMD kernels reach the heap of both binaries: the threaded one's shared memory and the
    // single-threaded one's exported memory.
    assert.ok(engine.patchedKernels.includes('GanAdamUpdate'), engine.patchedKernels.join(', '));
    assert.match(single.stdout, /patched kernels: .*GanAdamUpdate.*Sum, Mean/);
    const bad = runGan(['doctor', '--backend', 'wasm'], { env: { GAN_WASM_THREADS: 'lots' } });
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr.trim(), 'gan: GAN_WASM_THREADS lots: expected a whole number of threads from 1 to 8');
  },
);
