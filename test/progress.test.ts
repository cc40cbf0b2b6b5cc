// The epoch line: its numbers, and the run's ETA while epochs remain.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { duration, epochLine } from '../src/train/progress.ts';

const summary = {
  epoch: 3,
  epochs: 10,
  dLoss: 1,
  gLoss: 2,
  dReal: 0.5,
  dFake: 0.25,
  seconds: 30,
  imagesPerSecond: 200,
};

test('the epoch line says how long the rest of the run should take, and nothing at its end', () => {
  assert.equal(
    epochLine({ ...summary, remainingSeconds: 210 }),
    'epoch 3/10  D 1.000  G 2.000  D(x) 0.500  D(G(z)) 0.250  200.0 img/s  30.0 s  (run ETA 4 min)',
  );
  assert.doesNotMatch(epochLine({ ...summary, epoch: 10, remainingSeconds: 0 }), /ETA/);
  // A short run says seconds, not a rounded-up minute.
  assert.match(epochLine({ ...summary, remainingSeconds: 6.2 }), /\(run ETA 6 s\)$/);
  assert.match(epochLine({ ...summary, remainingSeconds: 3725 }), /\(run ETA 1 h 2 min\)$/);
  assert.equal(duration(20), '20 s');
  assert.equal(duration(59.6), '1 min');
  assert.equal(duration(5400), '1 h 30 min');
  assert.equal(duration(3599), '1 h 0 min');
});
