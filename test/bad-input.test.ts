// Bad input, nothing lost: every case gets a one-line message naming what is at fault and
// what is expected, exit code 2, and leaves every file under checkpoints/ exactly as it was.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
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
import { encodeIdx } from '../src/data/idx.ts';
import { runGan, spawnGan } from './helpers.ts';
import { tempDir } from './helpers/temp-dir.ts';

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

/** An IDX image/label pair in `dir`, optionally damaged. */
function idxDir(
  name: string,
  opts: { count?: number; labels?: number; side?: number; damage?: 'truncate-gz' | 'magic' } = {},
): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const side = opts.side ?? 28;
  const count = opts.count ?? 40;
  const pixels = new Uint8Array(count * side * side).map((_, i) => (i * 7) % 256);
  const images = encodeIdx({ kind: 'images', count, height: side, width: side, pixels }, { gzip: true });
  const labelCount = opts.labels ?? count;
  const labels = encodeIdx(
    { kind: 'labels', count: labelCount, labels: new Uint8Array(labelCount).map((_, i) => i % 10) },
    { gzip: true },
  );
  const imagesFile = join(dir, 'train-images-idx3-ubyte.gz');
  writeFileSync(imagesFile, opts.damage === 'truncate-gz' ? images.subarray(0, images.length - 40) : images);
  writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), labels);
  if (opts.damage === 'magic') {
    writeFileSync(imagesFile, encodeIdx({ kind: 'images', count, height: side, width: side, pixels }));
    const raw = readFileSync(imagesFile);
    raw[0] = 0x42; // the first two bytes of an IDX magic number are zero
    writeFileSync(imagesFile, raw);
  }
  return dir;
}

before(() => {
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
});

const CASES: { name: string; args: string[]; expect: RegExp; env?: Record<string, string> }[] = [
  {
    name: 'unknown config key',
    args: ['train', '--config', 'bad-key.yaml'],
    expect: /^gan: bad-key\.yaml:\d+: extra: unknown key \(known keys in top level: run, data/,
  },
  {
    name: 'wrong type',
    args: ['train', '--config', 'bad-type.yaml'],
    expect: /^gan: bad-type\.yaml:\d+: train\.batch_size: expected number, .*got "lots"$/,
  },
  {
    name: 'negative epochs',
    args: ['train', '--config', 'tiny.yaml', '--set', 'train.epochs=-2'],
    expect: /^gan: tiny\.yaml:\d+: train\.epochs: .*>=1, got -2$/,
  },
  {
    name: 'zero epochs flag',
    args: ['train', '--config', 'tiny.yaml', '--epochs', '0'],
    expect: /^gan: --epochs 0: expected an integer ≥ 1$/,
  },
  {
    name: 'zero batch size',
    args: ['train', '--config', 'tiny.yaml', '--set', 'train.batch_size=0'],
    expect: /^gan: tiny\.yaml:\d+: train\.batch_size: .*>=1, got 0$/,
  },
  {
    name: 'batch larger than the dataset',
    args: ['train', '--config', 'tiny.yaml', '--set', 'run.name=new1', '--set', 'train.batch_size=500'],
    expect: /^gan: train\.batch_size: 500 × d_steps 1 needs 500 images per iteration, but the dataset has 64 /,
  },
  {
    name: 'YAML syntax error',
    args: ['train', '--config', 'bad-yaml.yaml'],
    expect: /^gan: bad-yaml\.yaml:\d+: YAML syntax error: /,
  },
  {
    name: 'missing config file',
    args: ['train', '--config', 'missing.yaml'],
    expect: /^gan: missing\.yaml: config file not found/,
  },
  { name: 'missing --config', args: ['train'], expect: /required option '-c, --config <file>' not specified/ },
  {
    name: 'unreadable data dir',
    args: [
      'train',
      '--config',
      'tiny.yaml',
      '--set',
      'run.name=new2',
      '--set',
      'data.source=idx',
      '--set',
      'data.dir=no-such-dir',
    ],
    expect: /no-such-dir/,
  },
  {
    name: 'truncated .gz',
    args: [
      'train',
      '--config',
      'tiny.yaml',
      '--set',
      'run.name=new3',
      '--set',
      'data.source=idx',
      '--set',
      'data.dir=TRUNC',
      '--set',
      'data.limit=0',
    ],
    expect: /train-images-idx3-ubyte\.gz.*(truncated|unexpected end)/i,
  },
  {
    name: 'wrong IDX magic',
    args: [
      'train',
      '--config',
      'tiny.yaml',
      '--set',
      'run.name=new4',
      '--set',
      'data.source=idx',
      '--set',
      'data.dir=MAGIC',
      '--set',
      'data.limit=0',
    ],
    expect: /train-images-idx3-ubyte\.gz.*(magic|type)/i,
  },
  {
    name: 'image/label count mismatch',
    args: [
      'train',
      '--config',
      'tiny.yaml',
      '--set',
      'run.name=new5',
      '--set',
      'data.source=idx',
      '--set',
      'data.dir=MISMATCH',
      '--set',
      'data.limit=0',
    ],
    expect: /40 images .*39 labels|39 labels.*40 images|count/i,
  },
  {
    name: 'non-28×28 images for the DCGAN',
    args: [
      'train',
      '--config',
      'tiny.yaml',
      '--set',
      'run.name=new6',
      '--set',
      'data.source=idx',
      '--set',
      'data.dir=SIDE30',
      '--set',
      'data.limit=0',
      '--set',
      'model.arch=dcgan',
      '--set',
      'model.g_widths=[8,4]',
      '--set',
      'model.d_widths=[4,8]',
    ],
    expect: /^gan: model\.g_widths: 2 upsampling stages cannot make 30x30 images/,
  },
  {
    name: '--ckpt that does not exist',
    args: ['sample', '--ckpt', 'nope'],
    expect: /^gan: --ckpt nope: no such checkpoint/,
  },
  {
    name: 'resume with another architecture',
    args: ['train', '--config', 'tiny.yaml', '--resume', '--epochs', '2', '--set', 'model.arch=dcgan'],
    expect: /^gan: --resume: model changed since .*"arch":"mlp".*"arch":"dcgan"/,
  },
  {
    name: 'resume with another latent size',
    args: ['train', '--config', 'tiny.yaml', '--resume', '--epochs', '2', '--set', 'model.latent_dim=9'],
    expect: /^gan: --resume: model changed since .*"latent_dim":8.*"latent_dim":9/,
  },
  {
    name: 'resume with another seed',
    args: ['train', '--config', 'tiny.yaml', '--resume', '--epochs', '2', '--set', 'run.seed=5'],
    expect: /^gan: --resume: run\.seed changed since .*42 -> 5/,
  },
  {
    name: 'resume and force together',
    args: ['train', '--config', 'tiny.yaml', '--resume', '--force'],
    expect: /^gan: --resume and --force: choose one/,
  },
  {
    name: 'train into an existing run',
    args: ['train', '--config', 'tiny.yaml'],
    expect: /^gan: checkpoints\/tiny: run directory already exists/,
  },
  {
    name: 'corrupted model.json',
    args: ['sample', '--ckpt', 'broken'],
    expect: /^gan: checkpoints\/broken\/epoch-0001\/generator-ema\/model\.json: corrupted model\.json/,
  },
  {
    name: 'truncated weights.bin',
    args: ['sample', '--ckpt', 'broken', '--no-ema'],
    expect: /^gan: checkpoints\/broken\/epoch-0001\/generator\/weights\.bin: 100 bytes, but model\.json describes \d+/,
  },
  { name: '--n 0', args: ['sample', '--n', '0'], expect: /^gan: --n 0: expected an integer from 1 to 100000$/ },
  {
    name: '--n negative',
    args: ['sample', '--n', '-5'],
    expect: /^gan: --n -5: expected an integer from 1 to 100000$/,
  },
  {
    name: '--class 11',
    args: ['sample', '--ckpt', 'cond', '--class', '11'],
    expect: /^gan: --class 11: expected a class from 0 to 9$/,
  },
  {
    name: '--class on an unconditional run',
    args: ['sample', '--ckpt', 'tiny', '--class', '3'],
    expect: /^gan: --class 3: .* holds an unconditional generator/,
  },
  {
    name: 'a semi-supervised model without labels',
    args: ['train', '--config', 'tiny.yaml', '--set', 'model.arch=ssgan'],
    expect: /^gan: tiny\.yaml:\d+: train\.labels: model\.arch ssgan needs labelled images, a number > 0 \(not set\)$/,
  },
  {
    name: 'labels for a model that cannot use them',
    args: ['train', '--config', 'tiny.yaml', '--set', 'train.labels=100'],
    expect: /^gan: tiny\.yaml:\d+: model\.arch: train\.labels needs model\.arch ssgan, got "\w+"$/,
  },
  {
    name: 'gan classify on a run whose discriminator does not classify',
    args: ['classify', '--ckpt', 'tiny'],
    expect: /^gan: .*tiny[/\\]epoch-\d+: this run's discriminator does not classify/,
  },
  {
    name: '--truncation out of range',
    args: ['sample', '--ckpt', 'tiny', '--truncation', '0'],
    expect: /^gan: --truncation 0: expected a number from 0\.05 to 10$/,
  },
  {
    name: 'unknown --backend',
    args: ['sample', '--backend', 'gpu'],
    expect: /--backend <engine>.*'gpu' is invalid\. Allowed choices are auto, tensorflow, webgpu, wasm, cpu/,
  },
  {
    name: 'unknown GAN_BACKEND',
    args: ['sample', '--ckpt', 'tiny'],
    env: { GAN_BACKEND: 'metal' },
    expect: /^gan: GAN_BACKEND metal: unknown engine \(expected one of auto, tensorflow, webgpu, wasm, cpu\)$/,
  },
  {
    name: '--set on an unknown key',
    args: ['train', '--config', 'tiny.yaml', '--set', 'model.depth=3'],
    expect: /^gan: --set model\.depth: unknown key \(known keys in model: arch, latent_dim/,
  },
  {
    name: 'output path not writable',
    args: ['sample', '--ckpt', 'tiny', '--out', 'tiny.yaml/grid.png'],
    expect: /^gan: tiny\.yaml\/grid\.png: cannot write \((ENOTDIR|EEXIST)\)$/,
  },
  {
    name: 'all download mirrors down',
    args: [
      'train',
      '--config',
      'tiny.yaml',
      '--set',
      'run.name=new7',
      '--set',
      'data.source=download',
      '--set',
      'data.dir=dl',
    ],
    env: { GAN_DATA_MIRRORS: 'http://127.0.0.1:9/,http://127.0.0.1:10/' },
    expect: /127\.0\.0\.1:9.*127\.0\.0\.1:10/,
  },
];

test(`${CASES.length} kinds of bad input: one line, exit 2, nothing under checkpoints/ changed`, () => {
  assert.ok(CASES.length >= 25);
  const dirs: Record<string, string> = {
    TRUNC: idxDir('trunc', { damage: 'truncate-gz' }),
    MAGIC: idxDir('magic', { damage: 'magic' }),
    MISMATCH: idxDir('mismatch', { labels: 39 }),
    SIDE30: idxDir('side30', { side: 30 }),
  };
  for (const c of CASES) {
    const args = c.args.map((a) =>
      a.replace(/^data\.dir=(TRUNC|MAGIC|MISMATCH|SIDE30)$/, (_, k: string) => `data.dir=${dirs[k]}`),
    );
    const before = snapshot();
    const r = runGan(args, { cwd: work, env: c.env });
    assert.equal(r.status, 2, `${c.name}: exit ${r.status}\n${r.stderr}`);
    const lines = r.stderr
      .split('\n')
      .filter((l) => l.trim() && !/^(=+|Hi, looks like you are running TensorFlow\.js)/.test(l.trim()));
    assert.equal(lines.length, 1, `${c.name}: one line, got:\n${lines.join('\n')}`);
    assert.match(lines[0]!, c.expect, c.name);
    assert.deepEqual(snapshot(), before, `${c.name}: files under checkpoints/ changed`);
  }
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
