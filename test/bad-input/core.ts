// The first-generation commands: config files and --set, IDX data, downloads, --resume and
// --force, damaged checkpoints, and gan sample's options.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeIdx } from '../../src/data/idx.ts';
import type { BadInputCase, BadInputTable } from './case.ts';

/** An IDX image/label pair in `work/name`, optionally damaged. */
function idxDir(
  work: string,
  name: string,
  opts: { count?: number; labels?: number; side?: number; damage?: 'truncate-gz' | 'magic' } = {},
): void {
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
}

const cases: BadInputCase[] = [
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
      'data.dir=trunc',
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
      'data.dir=magic',
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
      'data.dir=mismatch',
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
      'data.dir=side30',
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
    expect:
      /^gan: tiny\.yaml(:\d+)?: ssgan\.labels: model\.arch ssgan needs labelled images, a number > 0 \(not set\)$/,
  },
  {
    name: 'labels for a model that cannot use them',
    args: ['train', '--config', 'tiny.yaml', '--set', 'ssgan.labels=100'],
    expect: /^gan: tiny\.yaml(:\d+)?: ssgan\.labels: needs model\.arch ssgan, got 100$/,
  },
  {
    name: 'a semi-supervised recipe key for another model',
    args: ['train', '--config', 'tiny.yaml', '--set', 'ssgan.consistency=10'],
    expect: /^gan: tiny\.yaml(:\d+)?: ssgan\.consistency: needs model\.arch ssgan, got 10$/,
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
    expect: /^gan: tiny\.yaml: a file where a directory is needed \(for tiny\.yaml\/grid\.png\); move it or choose/,
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

export const table: BadInputTable = {
  area: 'train, data and sample',
  cases,
  setup(work) {
    idxDir(work, 'trunc', { damage: 'truncate-gz' });
    idxDir(work, 'magic', { damage: 'magic' });
    idxDir(work, 'mismatch', { labels: 39 });
    idxDir(work, 'side30', { side: 30 });
  },
};
