// What must hold when training is killed, interrupted or diverges: checkpoints stay complete,
// resumed runs continue exactly, and the user is told what happened and what to do.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectEngine } from '../../src/engine/select.ts';
import { loadModel } from '../../src/checkpoint/model-io.ts';
import { mulberry32 } from '../../src/random.ts';
import { GAN_BIN, runGan, spawnGan, waitFor } from '../helpers.ts';
import { noTerminal, openTerminal } from '../helpers/terminal.ts';
import { latestDir, TINY, tinyWorkspace } from '../helpers/tiny-run.ts';

const metricLosses = (work: string, run: string) =>
  readFileSync(join(work, 'checkpoints', run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { epoch: number; d_loss: number; g_loss: number; d_real: number; d_fake: number })
    .map(({ epoch, d_loss, g_loss, d_real, d_fake }) => ({ epoch, d_loss, g_loss, d_real, d_fake }));

async function maxWeightDiff(dirA: string, dirB: string): Promise<number> {
  const [a, b] = [await loadModel(dirA), await loadModel(dirB)];
  const wa = a.getWeights();
  const wb = b.getWeights();
  assert.equal(wa.length, wb.length);
  let max = 0;
  for (let i = 0; i < wa.length; i++) max = Math.max(max, tf.max(tf.abs(tf.sub(wa[i]!, wb[i]!))).dataSync()[0]!);
  return max;
}

test('exact resume: killed mid-epoch 2 and resumed, a run ends bit-identical to an uninterrupted one', async () => {
  await selectEngine('cpu');
  const work = tinyWorkspace();
  const straight = runGan(['train', '--config', 'tiny.yaml', '--set', 'run.name=a'], { cwd: work });
  assert.equal(straight.status, 0, straight.stderr);

  const killed = spawnGan(['train', '--config', 'tiny.yaml', '--set', 'run.name=b'], { cwd: work });
  await waitFor(() => latestDir(join(work, 'checkpoints', 'b')) === 'epoch-0001', 120_000, 2);
  killed.child.kill('SIGKILL');
  const k = await killed.done;
  assert.equal(k.signal, 'SIGKILL', 'the run was killed before it finished');
  assert.equal(latestDir(join(work, 'checkpoints', 'b')), 'epoch-0001');

  const resumed = runGan(['train', '--config', 'tiny.yaml', '--set', 'run.name=b', '--resume'], { cwd: work });
  assert.equal(resumed.status, 0, resumed.stderr);
  for (const net of ['generator', 'generator-ema', 'discriminator']) {
    const diff = await maxWeightDiff(
      join(work, 'checkpoints/a/epoch-0003', net),
      join(work, 'checkpoints/b/epoch-0003', net),
    );
    assert.equal(diff, 0, `${net} weights are bit-identical (max abs diff ${diff})`);
  }
  assert.deepEqual(
    metricLosses(work, 'b'),
    metricLosses(work, 'a'),
    'per-epoch losses agree exactly, one line per epoch',
  );
});

test('Ctrl-C finishes the step, checkpoints mid-epoch, exits 130, and --resume continues exactly', async () => {
  const work = tinyWorkspace(TINY.replace('epochs: 3', 'epochs: 2'));
  const straight = runGan(['train', '--config', 'tiny.yaml', '--set', 'run.name=a'], { cwd: work });
  assert.equal(straight.status, 0, straight.stderr);

  const run = spawnGan(['train', '--config', 'tiny.yaml', '--set', 'run.name=b'], { cwd: work });
  await waitFor(() => latestDir(join(work, 'checkpoints', 'b')) === 'epoch-0001', 120_000, 2);
  run.child.kill('SIGINT');
  const r = await run.done;
  assert.equal(r.status, 130, r.stderr);
  assert.match(r.stderr, /SIGINT: stopping after this step and writing a checkpoint/);
  const where = /interrupted: checkpoint written to (\S+)/.exec(r.stdout)?.[1];
  assert.ok(where, r.stdout);
  assert.match(r.stdout, /resume with: {2}gan train --config tiny\.yaml --resume --set run\.name=b/);
  // The interrupt came during epoch 2, so the checkpoint is mid-epoch (or, if epoch 2 ended
  // first, at its boundary) and is what latest points at.
  assert.equal(latestDir(join(work, 'checkpoints', 'b')), where.split('/').pop());

  const resumed = runGan(['train', '--config', 'tiny.yaml', '--set', 'run.name=b', '--resume'], { cwd: work });
  if (where.endsWith('epoch-0002')) {
    assert.equal(resumed.status, 2, 'already finished');
  } else {
    assert.equal(resumed.status, 0, resumed.stderr);
    const diff = await maxWeightDiff(
      join(work, 'checkpoints/a/epoch-0002/generator'),
      join(work, 'checkpoints/b/epoch-0002/generator'),
    );
    assert.equal(diff, 0);
    assert.deepEqual(metricLosses(work, 'b'), metricLosses(work, 'a'));
  }
});

test(
  'Ctrl-C in a terminal on `gan train | tee log` and `2>&1 | tee log`: tee dies, the run still checkpoints and says so',
  { skip: noTerminal() },
  async () => {
    // An epoch of 250 small iterations: the Ctrl-C lands mid-epoch.
    const work = tinyWorkspace(
      TINY.replace('limit: 256', 'limit: 2000')
        .replace('batch_size: 32', 'batch_size: 8')
        .replace('epochs: 3', 'epochs: 1'),
    );
    const terminal = openTerminal(work);
    try {
      for (const [run, redirect] of [
        ['out', ''],
        ['both', ' 2>&1'],
      ] as const) {
        // The subshell ignores SIGINT only so that it lives on to record gan's exit code; gan
        // and tee get the terminal's SIGINT as they would at a prompt.
        terminal.type(
          `(trap '' INT; node ${GAN_BIN} train --config tiny.yaml --set run.name=${run}${redirect}; ` +
            `echo "exit code $? of ${run}" >/dev/tty) | tee ${run}.log\n`,
        );
        await terminal.waitFor(new RegExp(`run: checkpoints/${run} `));
        await new Promise((r) => setTimeout(r, 1500));
        terminal.type('\x03');
        await terminal.waitFor(new RegExp(`exit code \\d+ of ${run}`));
        const screen = terminal.output();
        assert.match(screen, new RegExp(`exit code 130 of ${run}`), screen);
        const latest = latestDir(join(work, 'checkpoints', run));
        assert.match(latest ?? '', /^epoch-0000-it\d{5}$/, `${run}: a mid-epoch checkpoint is latest`);
        if (run === 'out') {
          // stdout's reader is gone: the run's last lines come on stderr, in the terminal.
          assert.match(screen, new RegExp(`interrupted: checkpoint written to checkpoints/${run}/${latest}`));
          assert.match(screen, /resume with: {2}gan train --config tiny\.yaml --resume --set run\.name=out/);
        }
        const sample = runGan(['sample', '--ckpt', run, '--n', '4'], { cwd: work });
        assert.equal(sample.status, 0, sample.stderr);
      }
    } finally {
      await terminal.close();
    }
  },
);

test('SIGHUP (terminal closed) checkpoints like Ctrl-C, exits 129; then one after Ctrl-C waits', async () => {
  const work = tinyWorkspace(TINY.replace('epochs: 3', 'epochs: 40'));
  for (const signals of [['SIGHUP'], ['SIGINT', 'SIGHUP']] as const) {
    const name = signals.join('-');
    const run = spawnGan(['train', '--config', 'tiny.yaml', '--set', `run.name=${name}`], { cwd: work });
    await waitFor(() => latestDir(join(work, 'checkpoints', name)) === 'epoch-0001', 120_000, 2);
    for (const signal of signals) {
      run.child.kill(signal);
      await waitFor(() => run.stderr().includes(`${signals[0]}: stopping after this step`), 30_000, 1);
    }
    const r = await run.done;
    assert.equal(r.status, signals[0] === 'SIGHUP' ? 129 : 130, r.stderr);
    assert.doesNotMatch(r.stderr, /quitting now/);
    const where = /interrupted: checkpoint written to (\S+)/.exec(r.stdout)?.[1];
    assert.equal(latestDir(join(work, 'checkpoints', name)), where?.split('/').pop(), r.stdout);
  }
});

test('a second Ctrl-C during the interrupt checkpoint quits at once; latest stays the last complete one', async () => {
  // Every checkpoint is held in its temporary directory for a while before it is published
  // (fault injection), so the second press lands mid-write, deterministically.
  const work = tinyWorkspace(TINY.replace('epochs: 3', 'epochs: 1000'));
  const run = spawnGan(['train', '--config', 'tiny.yaml'], {
    cwd: work,
    env: { GAN_FAULT_CHECKPOINT_PAUSE_MS: '4000' },
  });
  const runDir = join(work, 'checkpoints', 'tiny');
  const writing = () => existsSync(runDir) && readdirSync(runDir).some((name) => name.startsWith('.tmp-'));
  await waitFor(() => latestDir(join(work, 'checkpoints', 'tiny')) !== undefined && !writing(), 120_000, 2);
  run.child.kill('SIGINT');
  await waitFor(() => run.stderr().includes('stopping after this step'), 30_000, 1);
  await waitFor(writing, 30_000, 1);
  const complete = latestDir(join(work, 'checkpoints', 'tiny'));
  run.child.kill('SIGINT');
  const r = await run.done;
  assert.equal(r.status, 130);
  assert.match(r.stderr, /SIGINT again: quitting now; the last complete checkpoint stays latest/);
  assert.doesNotMatch(r.stdout, /interrupted: checkpoint written/, 'the checkpoint being written was abandoned');
  assert.equal(latestDir(join(work, 'checkpoints', 'tiny')), complete);
  const s = runGan(['sample', '--ckpt', 'latest', '--n', '4'], { cwd: work });
  assert.equal(s.status, 0, s.stderr);
});

test('SIGKILL at random moments (20 trials) never leaves latest pointing at an incomplete checkpoint', async () => {
  // Batches of 4: iterations are cheap next to writing a checkpoint, so kills often land
  // mid-write. Only the newest 3 checkpoints are kept, which also exercises pruning.
  const work = tinyWorkspace(
    TINY.replace('epochs: 3', 'epochs: 100000')
      .replace('limit: 256', 'limit: 8')
      .replace('batch_size: 32', 'batch_size: 4') + 'run: { keep: 3 }\n',
  );
  const rand = mulberry32(2026);
  let killedMidWrite = 0;
  // A first checkpoint, then every trial resumes and is killed somewhere in its work.
  assert.equal(runGan(['train', '--config', 'tiny.yaml', '--epochs', '1'], { cwd: work }).status, 0);
  const runDir = join(work, 'checkpoints', 'tiny');
  const tmpExists = () => existsSync(runDir) && readdirSync(runDir).some((name) => name.startsWith('.tmp-'));
  for (let trial = 0; trial < 20; trial++) {
    // Every 4th trial holds a finished checkpoint in its temporary directory (fault injection)
    // and is killed right then: the moment between writing and publishing, deterministically.
    const midWrite = trial % 4 === 3;
    const run = spawnGan(['train', '--config', 'tiny.yaml', '--resume'], {
      cwd: work,
      env: midWrite ? { GAN_FAULT_CHECKPOINT_PAUSE_MS: '5000' } : {},
    });
    let exited = false;
    void run.done.then(() => (exited = true));
    await waitFor(() => run.stdout().includes('run: ') || exited, 60_000, 5);
    if (exited) assert.fail(`trial ${trial}: gan train --resume exited early: ${(await run.done).stderr}`);
    if (midWrite) await waitFor(() => tmpExists() || exited, 60_000, 2);
    else await new Promise((r) => setTimeout(r, 50 + rand() * 700));
    run.child.kill('SIGKILL');
    await run.done;
    if (tmpExists()) killedMidWrite++;
    assert.ok(latestDir(join(work, 'checkpoints', 'tiny')), `trial ${trial}: latest.json is there`);
    const kept = readdirSync(runDir).filter((name) => name.startsWith('epoch-'));
    assert.ok(kept.length <= 4, `trial ${trial}: pruning keeps the newest 3 (+1 mid-prune): ${kept.join(' ')}`);
    const s = runGan(
      ['sample', '--ckpt', 'latest', '--n', '4', '--format', 'npy', '--out', join(work, `t${trial}.npy`)],
      { cwd: work },
    );
    assert.equal(s.status, 0, `trial ${trial}: ${s.stderr}`);
  }
  assert.ok(killedMidWrite >= 5, `${killedMidWrite}/20 kills landed while a checkpoint was being written`);
});

test('a diverging run stops with exit 3, names the step and loss, and keeps the last good checkpoint', () => {
  const work = tinyWorkspace(TINY.replace('epochs: 3', 'epochs: 1'));
  assert.equal(runGan(['train', '--config', 'tiny.yaml'], { cwd: work }).status, 0);
  const r = runGan(
    [
      'train',
      '--config',
      'tiny.yaml',
      '--resume',
      '--epochs',
      '3',
      '--set',
      'train.lr_d=1e30',
      '--set',
      'train.lr_g=1e30',
    ],
    { cwd: work },
  );
  assert.equal(r.status, 3, r.stderr);
  assert.match(
    r.stderr,
    /^gan: training diverged at step \d+ \(epoch 2\): [DG] loss is (NaN|Infinity|-Infinity); the last good checkpoint stays latest/m,
  );
  assert.equal(latestDir(join(work, 'checkpoints', 'tiny')), 'epoch-0001');
});
