// Where the wasm engine's threads go and what gan doctor says about the machine's BLAS, from
// separate processes (the thread split is decided once per process).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { loadBlas } from '../../src/engine/blas.ts';
import { UserError } from '../../src/errors.ts';
import { ROOT, runGan } from '../helpers.ts';

const { blas, reason } = loadBlas({});
const skip = blas ? false : `no BLAS here: ${reason}`;

describe('the BLAS from the command line', { skip }, () => {
  test("dense work gives the engine's threads to the BLAS, convolutions to tfjs's pool", () => {
    const started = (workload: string) => {
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/fixtures/engine-threads.ts', workload], {
        cwd: ROOT,
        env: { ...process.env, GAN_WASM_THREADS: '2' },
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stderr);
      return JSON.parse(run.stdout.trim().split('\n').pop()!) as {
        threads: number;
        matmul: { threads: number };
        tfjsPool: number;
      };
    };
    const dense = started('dense');
    assert.deepEqual([dense.threads, dense.matmul.threads, dense.tfjsPool], [2, 2, 1], JSON.stringify(dense));
    const conv = started('conv');
    assert.deepEqual([conv.threads, conv.matmul.threads, conv.tfjsPool], [2, 1, 2], JSON.stringify(conv));
  });

  test('gan doctor names the BLAS; GAN_BLAS=off keeps XNNPACK', () => {
    const doctor = runGan(['doctor', '--backend', 'wasm']);
    assert.equal(doctor.status, 0, doctor.stderr);
    assert.match(doctor.stdout, /^matrix products: .*, 1 thread \(dense models give it the engine's threads/m);
    assert.match(doctor.stdout, /^engine: wasm via /m);
    const off = runGan(['doctor', '--backend', 'wasm'], { env: { GAN_BLAS: 'off' } });
    assert.equal(off.status, 0, off.stderr);
    assert.match(off.stdout, /^matrix products: XNNPACK \(GAN_BLAS=off\)$/m);
  });
});

test('a GAN_BLAS that cannot be opened is a one-line error naming it, exit code 2', () => {
  const path = '/nonexistent/libnothing.so';
  assert.throws(
    () => loadBlas({ GAN_BLAS: path }),
    (err) => err instanceof UserError && !err.message.includes('\n'),
  );
  const run = runGan(['doctor', '--backend', 'wasm'], { env: { GAN_BLAS: path } });
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr.trim(), /^gan: GAN_BLAS \/nonexistent\/libnothing\.so: cannot (open it|be used)/);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.equal(run.stdout, '', 'nothing runs');
});
