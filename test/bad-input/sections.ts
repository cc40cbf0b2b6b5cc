// Every section of a run config given a value it cannot take, and `gan train` flags and
// `--resume` on runs that cannot be continued.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sets, type BadInputCase, type BadInputTable } from './case.ts';

const train = (...assignments: string[]) => ['train', '--config', 'tiny.yaml', ...sets(...assignments)];
const resume = (...assignments: string[]) => [...train(...assignments), '--resume', '--epochs', '2'];

const cases: BadInputCase[] = [
  { name: 'negative seed', args: train('run.seed=-1'), expect: /^gan: tiny\.yaml: run\.seed: .*>=0, got -1$/ },
  { name: 'negative keep', args: train('run.keep=-1'), expect: /^gan: tiny\.yaml: run\.keep: .*>=0, got -1$/ },
  {
    name: 'empty out_dir',
    args: train('run.out_dir='),
    expect: /^gan: tiny\.yaml: run\.out_dir: expected string, got no value$/,
  },
  {
    name: 'a run name that climbs out of out_dir',
    args: train('run.name=../escape'),
    expect: /^gan: tiny\.yaml: run\.name: .*must match pattern .*, got "\.\.\/escape"$/,
  },
  {
    name: 'a run name with a slash',
    args: train('run.name=a/b'),
    expect: /^gan: tiny\.yaml: run\.name: .*, got "a\/b"$/,
  },
  {
    name: 'unknown architecture',
    args: train('model.arch=vae'),
    expect: /^gan: tiny\.yaml:\d+: model\.arch: .*"dcgan"\|"mlp"\|"ssgan", got "vae"$/,
  },
  {
    name: 'zero latent size',
    args: train('model.latent_dim=0'),
    expect: /^gan: tiny\.yaml:\d+: model\.latent_dim: .*>=1, got 0$/,
  },
  {
    name: 'no generator layers',
    args: train('model.g_widths=[]'),
    expect: /^gan: tiny\.yaml:\d+: model\.g_widths: .*>=1 items, got \[\]$/,
  },
  {
    name: 'widths that are not a list',
    args: train('model.d_widths=abc'),
    expect: /^gan: tiny\.yaml:\d+: model\.d_widths: expected array, got "abc"$/,
  },
  {
    name: 'unknown conditioning',
    args: train('model.conditioning=bogus'),
    expect: /^gan: tiny\.yaml:\d+: model\.conditioning: .*"projection"\|"acgan", got "bogus"$/,
  },
  {
    name: 'class norm on an MLP',
    args: train('model.class_norm=true'),
    expect: /^gan: tiny\.yaml:\d+: model\.class_norm: needs model\.arch dcgan and model\.conditional true/,
  },
  {
    name: 'unknown objective',
    args: train('train.loss=wasserstein'),
    expect: /^gan: tiny\.yaml:\d+: train\.loss: .*"wgan-gp", got "wasserstein"$/,
  },
  {
    name: 'zero learning rate',
    args: train('train.lr_g=0'),
    expect: /^gan: tiny\.yaml:\d+: train\.lr_g: .*>0, got 0$/,
  },
  {
    name: 'negative learning rate',
    args: train('train.lr_d=-0.001'),
    expect: /^gan: tiny\.yaml:\d+: train\.lr_d: .*>0, got -0\.001$/,
  },
  {
    name: 'zero D steps',
    args: train('train.d_steps=0'),
    expect: /^gan: tiny\.yaml:\d+: train\.d_steps: .*>=1, got 0$/,
  },
  {
    name: 'Adam beta1 of 1.5',
    args: train('train.beta1=1.5'),
    expect: /^gan: tiny\.yaml:\d+: train\.beta1: .*<1, got 1\.5$/,
  },
  { name: 'negative R1', args: train('train.r1=-1'), expect: /^gan: tiny\.yaml:\d+: train\.r1: .*>=0, got -1$/ },
  {
    name: 'lazy R1 every 0 updates',
    args: train('train.r1_every=0'),
    expect: /^gan: tiny\.yaml:\d+: train\.r1_every: .*>=1, got 0$/,
  },
  {
    name: 'augment probability 2',
    args: train('train.augment=2'),
    expect: /^gan: tiny\.yaml:\d+: train\.augment: .*<=1, got 2$/,
  },
  {
    name: 'learning-rate decay over 150%',
    args: train('train.lr_decay=1.5'),
    expect: /^gan: tiny\.yaml:\d+: train\.lr_decay: .*<=1, got 1\.5$/,
  },
  { name: 'EMA decay 1.2', args: train('train.ema=1.2'), expect: /^gan: tiny\.yaml:\d+: train\.ema: .*<1, got 1\.2$/ },
  {
    name: 'negative samples_every',
    args: train('train.samples_every=-1'),
    expect: /^gan: tiny\.yaml:\d+: train\.samples_every: .*>=0, got -1$/,
  },
  {
    name: 'empty sample grid',
    args: train('sample.grid=0'),
    expect: /^gan: tiny\.yaml:\d+: sample\.grid: .*>=1, got 0$/,
  },
  {
    name: 'unknown engine in the config',
    args: train('backend=bogus'),
    expect: /^gan: tiny\.yaml:\d+: backend: .*"cpu", got "bogus"$/,
  },
  {
    name: 'negative data limit',
    args: train('data.limit=-5'),
    expect: /^gan: tiny\.yaml:\d+: data\.limit: .*>=0, got -5$/,
  },
  {
    name: 'unknown dataset',
    args: train('data.dataset=cifar'),
    expect: /^gan: tiny\.yaml:\d+: data\.dataset: .*"fashion-mnist", got "cifar"$/,
  },
  {
    name: 'unknown data source',
    args: train('data.source=ftp'),
    expect: /^gan: tiny\.yaml:\d+: data\.source: .*"folder", got "ftp"$/,
  },
  { name: 'images of 7 px', args: train('data.size=7'), expect: /^gan: tiny\.yaml:\d+: data\.size: .*>=8, got 7$/ },
  {
    name: '--set without a value',
    args: train('model.latent_dim'),
    expect: /^gan: --set model\.latent_dim: expected key\.path=value$/,
  },
  {
    name: '--set with a value that is not YAML',
    args: train('model.g_widths=[1,'),
    expect: /^gan: --set model\.g_widths: value is not valid YAML/,
  },
  {
    name: '--epochs that is not a number',
    args: ['train', '--config', 'tiny.yaml', '--epochs', 'abc'],
    expect: /^gan: --epochs abc: expected an integer ≥ 1$/,
  },
  {
    name: 'a config that is a directory',
    args: ['train', '--config', 'config-dir'],
    expect: /^gan: config-dir: a directory; expected a YAML config file such as mnist\.yaml$/,
  },
  {
    name: 'a config that is a list',
    args: ['train', '--config', 'list.yaml'],
    expect: /^gan: list\.yaml: expected a mapping of sections \(run, data, model, train, sample, eval, backend\)$/,
  },
  {
    name: 'resume with the data moved',
    args: resume('data.dir=elsewhere'),
    expect: /^gan: --resume: data\.dir changed since .*\(data\.dir: \(not set\) -> "elsewhere"\)/,
  },
  {
    name: 'data.size for images it does not convert',
    args: train('data.size=32'),
    expect: /^gan: tiny\.yaml:\d+: data\.size: only data\.source folder converts images; bundled images have size 28/,
  },
  {
    name: 'resume with another batch size',
    args: resume('train.batch_size=16'),
    expect: /^gan: --resume: train\.batch_size changed since .*\(train\.batch_size: 32 -> 16\)/,
  },
  {
    name: 'resume with another objective',
    args: resume('train.loss=hinge'),
    expect: /^gan: --resume: train\.loss changed since .*"bce" -> "hinge"/,
  },
  {
    name: 'resume a finished run',
    args: ['train', '--config', 'tiny.yaml', '--resume'],
    expect: /^gan: --resume: checkpoints\/tiny already finished epoch 1 of train\.epochs=1; raise it with --epochs N$/,
  },
  {
    name: 'resume a run without a checkpoint',
    args: resume('run.name=empty'),
    expect: /^gan: --resume: checkpoints\/empty has no complete checkpoint to resume from$/,
  },
  {
    name: 'resume a run whose latest.json is torn',
    args: resume('run.name=torn'),
    expect: /^gan: checkpoints\/torn\/latest\.json: unreadable \(/,
  },
];

export const table: BadInputTable = {
  area: 'run, model, train, sample and backend sections, gan train flags and --resume',
  cases,
  setup(work) {
    mkdirSync(join(work, 'config-dir'));
    writeFileSync(join(work, 'list.yaml'), '- a\n');
    mkdirSync(join(work, 'checkpoints', 'empty'));
    writeFileSync(join(work, 'checkpoints', 'empty', 'config.yaml'), 'run: {}\n');
    cpSync(join(work, 'checkpoints', 'tiny'), join(work, 'checkpoints', 'torn'), { recursive: true });
    writeFileSync(join(work, 'checkpoints', 'torn', 'latest.json'), '{"epoch": 1, "di');
  },
};
