// Bad input, nothing lost: every case gets a one-line message naming what is at fault and
// what is expected, its exit code (2 bad input, 4 the machine refused), no stack trace, and
// leaves every file under checkpoints/ exactly as it was. The cases live in tables under
// bad-input/, one per command or config section.
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { before, test } from 'node:test';
import { runGan, spawnGan } from '../helpers.ts';
import { treeSnapshot } from '../helpers/snapshot.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { TINY_CONFIG } from '../helpers/tiny-config.ts';
import type { BadInputCase, BadInputTable } from '../bad-input/case.ts';
import { table as commands } from '../bad-input/commands.ts';
import { table as core } from '../bad-input/core.ts';
import { table as sections } from '../bad-input/sections.ts';
import { table as folders } from '../bad-input/folders.ts';
import { table as environment } from '../bad-input/environment.ts';
import { table as evalTable } from '../bad-input/eval.ts';

let work: string;

const snapshot = () => treeSnapshot(join(work, 'checkpoints'));

const TABLES: BadInputTable[] = [core, sections, folders, commands, environment, evalTable];

before(async () => {
  work = tempDir('gan-bad-');
  cpSync(join(import.meta.dirname, '..', '..', 'configs'), join(work, 'configs'), { recursive: true });
  writeFileSync(join(work, 'tiny.yaml'), TINY_CONFIG);
  writeFileSync(join(work, 'bad-key.yaml'), `${TINY_CONFIG}\nextra: 1\n`);
  writeFileSync(join(work, 'bad-type.yaml'), TINY_CONFIG.replace('batch_size: 32', 'batch_size: lots'));
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

/**
 * Cases run two at a time (a case is mostly Node's start-up, on one core), except two that
 * would open the same run: the second would meet the first one's lock. A pair is checked against
 * one snapshot taken before it: a case that writes under checkpoints/ fails the pair, naming both.
 */
function pairs(cases: BadInputCase[]): BadInputCase[][] {
  const groups: BadInputCase[][] = [];
  for (const c of cases) {
    const last = groups.at(-1);
    if (last && last.length < 2 && runOpened(last[0]!) !== runOpened(c)) last.push(c);
    else groups.push([c]);
  }
  return groups;
}

/** The run a `gan train` case would open (run.name, else the config's file name). */
function runOpened(c: BadInputCase): string | undefined {
  if (c.args[0] !== 'train') return undefined;
  const named = c.args.find((a) => a.startsWith('run.name='))?.slice('run.name='.length);
  const config = c.args[c.args.indexOf('--config') + 1] ?? '';
  return named ?? basename(config).replace(/\.ya?ml$/, '');
}

for (const table of TABLES) {
  test(`bad input, ${table.area}: ${table.cases.length} cases, one line each, checkpoints/ unchanged`, async () => {
    for (const group of pairs(table.cases)) {
      const before = snapshot();
      const results = await Promise.all(group.map((c) => spawnGan(c.args, { cwd: work, env: c.env }).done));
      group.forEach((c, k) => {
        const r = results[k]!;
        assert.equal(r.status, c.exit ?? 2, `${c.name}: exit ${r.status}\n${r.stderr}`);
        const lines = errorLines(r.stderr);
        assert.equal(lines.length, 1, `${c.name}: one line, got:\n${lines.join('\n')}`);
        assert.match(lines[0]!, c.expect, c.name);
        assert.doesNotMatch(r.stderr, /^\s+at /m, `${c.name}: a stack trace`);
      });
      assert.deepEqual(
        snapshot(),
        before,
        `${group.map((c) => c.name).join(' or ')}: files under checkpoints/ changed`,
      );
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
