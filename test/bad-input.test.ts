// Bad input, nothing lost: every case gets a one-line message naming what is at fault and
// what is expected, its exit code (2 bad input, 4 the machine refused), no stack trace, and
// leaves every file under checkpoints/ exactly as it was. The cases live in tables under
// bad-input/, one per command or config section.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { runGan, spawnGan } from './helpers.ts';
import { tempDir } from './helpers/temp-dir.ts';
import type { BadInputTable } from './bad-input/case.ts';
import { table as core } from './bad-input/core.ts';
import { table as evalTable } from './bad-input/eval.ts';

const TINY = `
data: { source: bundled, limit: 64 }
model: { arch: mlp, latent_dim: 8, g_widths: [32], d_widths: [32] }
train: { epochs: 1, batch_size: 32 }
sample: { grid: 4 }
backend: cpu
`;

let work: string;

/** Every file under checkpoints/ with its size, mtime and content hash. */
function snapshot(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else out.set(path, `${st.size}:${st.mtimeMs}:${createHash('sha1').update(readFileSync(path)).digest('hex')}`);
    }
  };
  walk(join(work, 'checkpoints'));
  return out;
}

const TABLES: BadInputTable[] = [core, evalTable];

before(async () => {
  work = tempDir('gan-bad-');
  cpSync(join(import.meta.dirname, '..', 'configs'), join(work, 'configs'), { recursive: true });
  writeFileSync(join(work, 'tiny.yaml'), TINY);
  writeFileSync(join(work, 'bad-key.yaml'), `${TINY}\nextra: 1\n`);
  writeFileSync(join(work, 'bad-type.yaml'), TINY.replace('batch_size: 32', 'batch_size: lots'));
  writeFileSync(join(work, 'bad-yaml.yaml'), 'train:\n  epochs: [1,\n  batch_size: 2\n');
  for (const [run, extra] of [
    ['tiny', []],
    ['cond', ['--set', 'model.conditional=true']],
    ['broken', []],
  ] as const) {
    const r = runGan(['train', '--config', 'tiny.yaml', '--set', `run.name=${run}`, ...extra], { cwd: work });
    assert.equal(r.status, 0, r.stderr);
  }
  // A damaged copy: its EMA generator's model.json is not JSON, its generator's weights are cut.
  const broken = join(work, 'checkpoints', 'broken', 'epoch-0001');
  writeFileSync(join(broken, 'generator-ema', 'model.json'), '{"modelTopology": ');
  truncateSync(join(broken, 'generator', 'weights.bin'), 100);
  copyFileSync(join(work, 'tiny.yaml'), join(work, 'tiny-copy.yaml'));
  for (const table of TABLES) await table.setup?.(work);
});

/** The lines a case printed on stderr, tfjs's "Hi, looks like you are running" banner aside. */
function errorLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.trim() && !/^(=+|Hi, looks like you are running TensorFlow\.js)/.test(l.trim()));
}

test('the bad-input tables cover every command and config section with at least 120 cases', () => {
  assert.ok(TABLES.reduce((n, t) => n + t.cases.length, 0) >= 120);
});

for (const table of TABLES) {
  test(`bad input, ${table.area}: ${table.cases.length} cases, one line each, checkpoints/ unchanged`, () => {
    for (const c of table.cases) {
      const before = snapshot();
      const r = runGan(c.args, { cwd: work, env: c.env });
      assert.equal(r.status, c.exit ?? 2, `${c.name}: exit ${r.status}\n${r.stderr}`);
      const lines = errorLines(r.stderr);
      assert.equal(lines.length, 1, `${c.name}: one line, got:\n${lines.join('\n')}`);
      assert.match(lines[0]!, c.expect, c.name);
      assert.doesNotMatch(r.stderr, /^\s+at /m, `${c.name}: a stack trace`);
      assert.deepEqual(snapshot(), before, `${c.name}: files under checkpoints/ changed`);
    }
  });
}

test('a failed download leaves no partial file under the final name', () => {
  assert.ok(
    !existsSync(join(work, 'dl', 'train-images-idx3-ubyte.gz')),
    'no partial download left under the final name',
  );
});

test('a mirror serving a corrupted file: checksum error naming the file, exit 2, nothing written', async () => {
  const server = createServer((_req, res) => res.end(Buffer.from('not the real file')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    const before = snapshot();
    const run = spawnGan(
      [
        'train',
        '--config',
        'tiny.yaml',
        '--set',
        'run.name=new8',
        '--set',
        'data.source=download',
        '--set',
        'data.dir=dl2',
      ],
      {
        cwd: work,
        env: { GAN_DATA_MIRRORS: `http://127.0.0.1:${port}/` },
      },
    );
    const r = await run.done;
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /train-images-idx3-ubyte\.gz.*(checksum|md5|hash)/i);
    assert.deepEqual(snapshot(), before);
    assert.deepEqual(
      existsSync(join(work, 'dl2')) ? readdirSync(join(work, 'dl2')) : [],
      [],
      'no partial or corrupted file kept',
    );
  } finally {
    server.close();
  }
});
