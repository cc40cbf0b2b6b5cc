// TensorBoard scalars: written through tf.node.summaryFileWriter only on the native engine;
// elsewhere a silent no-op logger.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadNativeSummaries } from '../src/engine/index.ts';
import { createScalarLogger, type NodeNamespace } from '../src/report/tensorboard.ts';

test('a non-native engine gets a silent no-op logger, however many scalars follow', () => {
  for (const engine of ['wasm', 'cpu']) {
    const lines: string[] = [];
    let looked = false;
    const logger = createScalarLogger(
      engine,
      '/tmp/run',
      (l) => lines.push(l),
      () => ((looked = true), undefined),
    );
    for (let step = 0; step < 5; step++) logger.scalar('d_loss', 1 / (step + 1), step);
    logger.flush();
    assert.equal(logger.enabled, false);
    assert.deepEqual(lines, []);
    assert.equal(looked, false, 'tf.node is not even looked up');
  }
});

test('the native engine writes to <run>/tb through tf.node.summaryFileWriter', () => {
  const calls: unknown[][] = [];
  const fakeNode: NodeNamespace = {
    summaryFileWriter: (logdir) => {
      calls.push(['open', logdir]);
      return { scalar: (...args) => calls.push(['scalar', ...args]), flush: () => calls.push(['flush']) };
    },
  };
  const lines: string[] = [];
  const logger = createScalarLogger(
    'tensorflow',
    '/runs/demo',
    (l) => lines.push(l),
    () => fakeNode,
  );
  logger.scalar('g_loss', 0.7, 10);
  logger.scalar('d_loss', Number.NaN, 10); // a diverged value is not sent to TensorBoard
  logger.flush();
  assert.equal(logger.enabled, true);
  assert.deepEqual(calls, [['open', join('/runs/demo', 'tb')], ['scalar', 'g_loss', 0.7, 10], ['flush']]);
  assert.deepEqual(lines, []);
});

test('engine "tensorflow" without a reachable tf.node degrades to a no-op with a reason', () => {
  const lines: string[] = [];
  const logger = createScalarLogger(
    'tensorflow',
    '/tmp/run',
    (l) => lines.push(l),
    () => undefined,
  );
  assert.equal(logger.enabled, false);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /needs the native engine .*summaryFileWriter was not found/);
});

test('the real lookup finds tf.node only where tfjs-node is installed', () => {
  const node = loadNativeSummaries();
  assert.ok(node === undefined || typeof node.summaryFileWriter === 'function');
});
