// How the webgpu engine's packed Adam and moving-average kernels split a network's weights when
// they would not fit one storage binding of the device (pure arithmetic; no GPU needed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupsWithin } from '../src/engine/kernels/webgpu-updates.ts';

test('weights that fit one binding are one group, one dispatch', () => {
  assert.deepEqual(groupsWithin(1000, [10, 20, 30], 4, 2), [[0, 1, 2]]);
});

test('groups are filled in order up to the limit, extra floats counted in each', () => {
  // 4 floats a value, 2 extra: [10, 20] need 122 floats, adding 30 would need 242 > 200.
  assert.deepEqual(groupsWithin(200, [10, 20, 30, 5], 4, 2), [
    [0, 1],
    [2, 3],
  ]);
  assert.deepEqual(groupsWithin(122, [10, 20, 1], 4, 2), [[0, 1], [2]]);
});

test('a weight larger than the limit gets a group of its own; no group is empty', () => {
  assert.deepEqual(groupsWithin(50, [100, 3, 100], 2, 0), [[0], [1], [2]]);
  assert.deepEqual(groupsWithin(50, [], 2, 0), []);
});
