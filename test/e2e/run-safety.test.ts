// One writer per run, and a full disk that costs nothing but the epoch being written: the lock
// refuses a second `gan train` on a run at once, is taken over when its process is gone, and
// lets readers through; ENOSPC mid-checkpoint leaves the last checkpoint intact, says so in one
// line with exit code 4, and --resume continues once there is space.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runGan, spawnGan, waitFor } from '../helpers.ts';
import { treeSnapshot } from '../helpers/snapshot.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { latestDir, TINY, TINY_SSGAN, tinyWorkspace } from '../helpers/tiny-run.ts';

const epochsLogged = (runRoot: string) =>
  readFileSync(join(runRoot, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { epoch: number }).epoch);

test(
  'a second writer is refused at once while a run trains; readers go on; a dead writer’s lock is taken ' + 'over',
  async () => {
    const work = tinyWorkspace(TINY.replace('epochs: 3', 'epochs: 40'));
    const run = join(work, 'checkpoints', 'tiny');
    const first = spawnGan(['train', '--config', 'tiny.yaml'], { cwd: work });
    await waitFor(() => latestDir(run) === 'epoch-0001', 120_000, 2);

    const second = runGan(['train', '--config', 'tiny.yaml', '--resume'], { cwd: work });
    assert.equal(second.status, 2, second.stderr);
    const lines = second.stderr.trim().split('\n');
    assert.equal(lines.length, 1, second.stderr);
    assert.match(lines[0]!, new RegExp(`^gan: checkpoints/tiny: already being trained by process ${first.child.pid} `));
    const reader = runGan(['sample', '--ckpt', 'tiny', '--n', '4', '--seed', '1', '--out', join(work, 'x.png')], {
      cwd: work,
    });
    assert.equal(reader.status, 0, `sample reads a run while it trains: ${reader.stderr}`);

    first.child.kill('SIGKILL');
    await first.done;
    assert.ok(existsSync(join(run, '.lock')), 'a killed writer leaves its lock behind');
    const resumed = runGan(['train', '--config', 'tiny.yaml', '--resume', '--epochs', '4'], { cwd: work });
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(
      resumed.stderr,
      new RegExp(`taking over the lock of process ${first.child.pid}, which is no longer running`),
    );
    assert.ok(!existsSync(join(run, '.lock')), 'the lock is released at the end');
    const epochs = epochsLogged(run);
    assert.deepEqual(
      epochs,
      [...epochs].sort((a, b) => a - b),
      'epochs logged once each, in order',
    );
    assert.equal(new Set(epochs).size, epochs.length);
    assert.equal(epochs.at(-1), 4);
  },
);

test(
  'a lock held by a live process on this host is respected even for a new run name, and a failed start leaves ' +
    'no run behind',
  () => {
    const work = tinyWorkspace();
    const run = join(work, 'checkpoints', 'tiny');
    execFileSync('mkdir', ['-p', run]);
    // This test process is alive: its PID in the lock must stop `gan train`.
    writeFileSync(join(run, '.lock'), JSON.stringify({ pid: process.pid, host: hostname(), since: 'now' }));
    const r = runGan(['train', '--config', 'tiny.yaml'], { cwd: work });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /already being trained by process/);
    assert.deepEqual(readdirSync(run), ['.lock'], 'nothing written beside the other holder’s lock');

    const fresh = runGan(['train', '--config', 'tiny.yaml', '--set', 'run.name=other', '--resume'], { cwd: work });
    assert.equal(fresh.status, 2);
    assert.match(fresh.stderr, /no complete checkpoint to resume from/);
    assert.ok(!existsSync(join(work, 'checkpoints', 'other')), 'the directory made for the lock is removed again');
  },
);

test('by default a run keeps the newest 3 checkpoints (run.keep: 0 keeps all)', () => {
  const work = tinyWorkspace(TINY.replace('epochs: 3', 'epochs: 5'));
  assert.equal(runGan(['train', '--config', 'tiny.yaml'], { cwd: work }).status, 0);
  const kept = readdirSync(join(work, 'checkpoints', 'tiny')).filter((n) => n.startsWith('epoch-'));
  assert.deepEqual(kept, ['epoch-0003', 'epoch-0004', 'epoch-0005']);
  assert.equal(
    runGan(['train', '--config', 'tiny.yaml', '--set', 'run.name=all', '--set', 'run.keep=0'], { cwd: work }).status,
    0,
  );
  assert.equal(readdirSync(join(work, 'checkpoints', 'all')).filter((n) => n.startsWith('epoch-')).length, 5);
});

/** A tmpfs of `size` at `dir`, or the reason it cannot be mounted here. */
function mountTmpfs(dir: string, size: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `cannot mount a small filesystem here (${String((err as Error).message).split('\n')[0]})`;
  }
}

const full = join(tempDir('gan-full-'), 'disk');
execFileSync('mkdir', ['-p', full]);
const noMount = mountTmpfs(full, '64m');

test(
  'disk full while a checkpoint is written: one line, exit 4, the last checkpoint intact, --resume once there is space',
  { skip: noMount },
  () => {
    try {
      const work = tinyWorkspace();
      const args = ['train', '--config', 'tiny.yaml', '--set', `run.out_dir=${full}`];
      assert.equal(runGan([...args, '--epochs', '1'], { cwd: work }).status, 0);
      const run = join(full, 'tiny');
      // Shrink the filesystem to what is used now plus half a checkpoint: epoch 2 cannot be written.
      const used = (fs: ReturnType<typeof statfsSync>) => (Number(fs.blocks) - Number(fs.bfree)) * Number(fs.bsize);
      const checkpointBytes = Number(
        execFileSync('du', ['-sb', join(run, 'epoch-0001')], { encoding: 'utf8' }).split('\t')[0],
      );
      const size = used(statfsSync(full)) + Math.floor(checkpointBytes / 2);
      execFileSync('mount', ['-o', `remount,size=${size}`, full]);

      const r = runGan([...args, '--resume'], { cwd: work });
      assert.equal(r.status, 4, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line, no stack trace: ${r.stderr}`);
      assert.match(
        lines[0]!,
        /^gan: cannot write .+: no space left on device \(ENOSPC\); the last complete checkpoint .*epoch-0001 is intact — free some space .* --resume$/,
      );
      assert.equal(latestDir(run), 'epoch-0001');
      assert.deepEqual(
        readdirSync(run).filter((n) => n.startsWith('.tmp-') || n === 'epoch-0002'),
        [],
        'no partial checkpoint',
      );
      assert.deepEqual(epochsLogged(run), [1]);

      execFileSync('mount', ['-o', 'remount,size=64m', full]);
      const resumed = runGan([...args, '--resume'], { cwd: work });
      assert.equal(resumed.status, 0, resumed.stderr);
      assert.equal(latestDir(run), 'epoch-0003');
      assert.deepEqual(epochsLogged(run), [1, 2, 3]);
    } finally {
      execFileSync('umount', [full]);
    }
  },
);

test('a refused --resume leaves the run byte-identical: config.yaml, metrics and run.keep’s checkpoints', () => {
  const work = tinyWorkspace(`${TINY_SSGAN}run: { keep: 0 }
backend: cpu
`);
  const run = join(work, 'checkpoints', 'tiny');
  const first = runGan(['train', '--config', 'tiny.yaml'], { cwd: work });
  assert.equal(first.status, 0, first.stderr);
  const resume = (...extra: string[]) =>
    runGan(['train', '--config', 'tiny.yaml', '--resume', '--epochs', '3', '--set', 'run.keep=1', ...extra], {
      cwd: work,
    });

  const labelsChanged = treeSnapshot(run);
  const other = resume('--set', 'ssgan.labels=30');
  assert.equal(other.status, 2, other.stderr);
  assert.match(other.stderr, /^gan: --resume: ssgan\.labels changed since .*20 -> 30/m);
  assert.deepEqual(treeSnapshot(run), labelsChanged, 'a resume refused for its labels changed nothing');

  // Labelled images that differ from the recorded ones are found only after the data is loaded.
  const recorded = join(run, 'labelled.json');
  const record = JSON.parse(readFileSync(recorded, 'utf8')) as { indices: number[] };
  record.indices.reverse();
  writeFileSync(recorded, JSON.stringify(record));
  const tampered = treeSnapshot(run);
  const differ = resume();
  assert.equal(differ.status, 2, differ.stderr);
  assert.match(differ.stderr, /labelled\.json: the labelled images differ from those the run started with/);
  assert.deepEqual(treeSnapshot(run), tampered, 'a resume refused for its labelled images changed nothing');
  assert.deepEqual(
    readdirSync(run).filter((n) => n.startsWith('epoch-')),
    ['epoch-0001', 'epoch-0002'],
  );
});
