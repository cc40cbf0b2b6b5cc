import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { describeEngine, requestedEngine, selectEngine } from '../src/engine/select.ts';
import { UserError } from '../src/errors.ts';

test('auto picks the best engine that loads and says why the native ones were skipped', async () => {
  const engine = await selectEngine('auto');
  // On machines with a working tfjs-node(-gpu) this would be "tensorflow"; here it is wasm.
  assert.equal(engine.name, tf.getBackend());
  if (engine.name !== 'tensorflow') {
    assert.equal(engine.name, 'wasm');
    assert.match(engine.skipped.join('\n'), /@tensorflow\/tfjs-node-gpu (not installed|failed to load)/);
    assert.match(describeEngine(engine), /^engine: wasm via @tensorflow\/tfjs-backend-wasm — .*not used: @tensorflow\/tfjs-node-gpu/);
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
    assert.match(err.message, /^--backend tensorflow: engine unavailable \(@tensorflow\/tfjs-node-gpu (not installed|failed to load)/);
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
    assert.throws(() => requestedEngine(undefined, 'auto'), /^UserError: GAN_BACKEND gpu: unknown engine \(expected one of auto, tensorflow, wasm, cpu\)$/);
  } finally {
    if (saved === undefined) delete process.env.GAN_BACKEND;
    else process.env.GAN_BACKEND = saved;
  }
});
