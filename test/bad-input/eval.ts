// The eval config section (checked when the config loads, and at `gan train` start where the
// data decides) and `gan eval`'s options. Every case must fail before the evaluation
// classifier is trained or cached, so nothing appears under checkpoints/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sets, type BadInputCase, type BadInputTable } from './case.ts';

/** `gan train` on tiny.yaml as a new run (an existing one is refused before the eval section matters). */
const train = (name: string, ...assignments: string[]) => [
  'train',
  '--config',
  'tiny.yaml',
  ...sets(`run.name=${name}`, ...assignments),
];

const TOO_FEW = 'expected at least 4 \\(precision/recall needs k = 3 other images near each image\\)';

const cases: BadInputCase[] = [
  // The eval section: what the config alone can tell.
  {
    name: 'eval.n 0',
    args: train('ev1', 'eval.every=1', 'eval.n=0'),
    expect: new RegExp(`^gan: tiny\\.yaml: eval\\.n: ${TOO_FEW}, got 0$`),
  },
  {
    name: 'eval.n 3: too few for precision/recall',
    args: train('ev2', 'eval.every=1', 'eval.n=3'),
    expect: new RegExp(`^gan: tiny\\.yaml: eval\\.n: ${TOO_FEW}, got 3$`),
  },
  {
    name: 'eval.n 2 in the config file, with its line',
    args: ['train', '--config', 'eval-n2.yaml'],
    expect: new RegExp(`^gan: eval-n2\\.yaml:7: eval\\.n: ${TOO_FEW}, got 2$`),
  },
  {
    name: 'eval.n negative',
    args: train('ev3', 'eval.n=-5'),
    expect: new RegExp(`^gan: tiny\\.yaml: eval\\.n: ${TOO_FEW}, got -5$`),
  },
  {
    name: 'eval.n above the maximum',
    args: train('ev4', 'eval.n=100001'),
    expect: /^gan: tiny\.yaml: eval\.n: .*<=100000, got 100001$/,
  },
  {
    name: 'eval.n a boolean',
    args: train('ev5', 'eval.n=true'),
    expect: /^gan: tiny\.yaml: eval\.n: expected number, .*got true$/,
  },
  {
    name: 'eval.n fractional',
    args: train('ev6', 'eval.n=500.5'),
    expect: /^gan: tiny\.yaml: eval\.n: .*int.*got 500\.5$/,
  },
  {
    name: 'eval.n a word',
    args: train('ev7', 'eval.n=many'),
    expect: /^gan: tiny\.yaml: eval\.n: expected number, .*got "many"$/,
  },
  {
    name: 'eval.n null',
    args: train('ev8', 'eval.n=null'),
    expect: /^gan: tiny\.yaml: eval\.n: expected number, got no value$/,
  },
  {
    name: 'eval.every negative',
    args: train('ev9', 'eval.every=-1'),
    expect: /^gan: tiny\.yaml: eval\.every: .*>=0, got -1$/,
  },
  {
    name: 'eval.every fractional',
    args: train('ev10', 'eval.every=1.5'),
    expect: /^gan: tiny\.yaml: eval\.every: .*int.*got 1\.5$/,
  },
  {
    name: 'eval.every a word',
    args: train('ev11', 'eval.every=often'),
    expect: /^gan: tiny\.yaml: eval\.every: expected number, .*got "often"$/,
  },
  {
    name: 'eval.every a list',
    args: train('ev12', 'eval.every=[1, 2]'),
    expect: /^gan: tiny\.yaml: eval\.every: expected number, .*got \[1,2\]$/,
  },
  {
    name: 'eval.classifier_epochs 0',
    args: train('ev16', 'eval.classifier_epochs=0'),
    expect: /^gan: tiny\.yaml: eval\.classifier_epochs: .*>=1, got 0$/,
  },
  {
    name: 'eval.classifier_epochs fractional',
    args: train('ev17', 'eval.classifier_epochs=2.5'),
    expect: /^gan: tiny\.yaml: eval\.classifier_epochs: .*int.*got 2\.5$/,
  },
  {
    name: 'eval.classifier_epochs a word',
    args: train('ev18', 'eval.classifier_epochs=few'),
    expect: /^gan: tiny\.yaml: eval\.classifier_epochs: expected number, .*got "few"$/,
  },
  {
    name: 'an unknown eval key',
    args: train('ev13', 'eval.fid=true'),
    expect: /^gan: --set eval\.fid: unknown key \(known keys in eval: every, n, classifier_epochs\)$/,
  },
  {
    name: 'eval not a section',
    args: train('ev14', 'eval=5'),
    expect: /^gan: tiny\.yaml: eval: expected object, .*got 5$/,
  },
  {
    name: 'an unknown key in the eval section of a file',
    args: ['train', '--config', 'eval-key.yaml'],
    expect: /^gan: eval-key\.yaml:7: eval\.samples: unknown key \(known keys in eval: every, n, classifier_epochs\)$/,
  },
  // What depends on the data: a conditional generator's classes in the training proportions.
  {
    name: 'eval.n too small for per-class FID of a conditional run',
    args: train('ev15', 'model.conditional=true', 'eval.every=1', 'eval.n=10'),
    expect:
      /^gan: eval\.n 10: per-class FID needs at least 2 generated images of each class, but 10 in the training proportions give class \d only [01] \(eval\.n \d+ or more gives every class 2\)$/,
  },

  // gan eval's options.
  { name: '--n 0', args: ['eval', '--n', '0'], expect: /^gan: --n 0: expected an integer from 4 to 100000$/ },
  { name: '--n 2', args: ['eval', '--n', '2'], expect: /^gan: --n 2: expected an integer from 4 to 100000$/ },
  { name: '--n 3', args: ['eval', '--n', '3'], expect: /^gan: --n 3: expected an integer from 4 to 100000$/ },
  { name: '--n negative', args: ['eval', '--n', '-4'], expect: /^gan: --n -4: expected an integer from 4 to 100000$/ },
  {
    name: '--n above the maximum',
    args: ['eval', '--n', '100001'],
    expect: /^gan: --n 100001: expected an integer from 4 to 100000$/,
  },
  { name: '--n a word', args: ['eval', '--n', 'all'], expect: /^gan: --n all: expected an integer from 4 to 100000$/ },
  {
    name: '--n fractional',
    args: ['eval', '--n', '100.5'],
    expect: /^gan: --n 100\.5: expected an integer from 4 to 100000$/,
  },
  {
    name: '--n too small for per-class FID of a conditional generator',
    args: ['eval', '--ckpt', 'cond', '--n', '10'],
    expect:
      /^gan: --n 10: per-class FID needs at least 2 generated images of each class, but 10 in the training proportions give class \d only [01] \(--n \d+ or more gives every class 2\)$/,
  },
  {
    name: '--ckpt that does not exist',
    args: ['eval', '--ckpt', 'nope'],
    expect: /^gan: --ckpt nope: no such checkpoint/,
  },
  {
    name: '--ckpt RUN/best without a best checkpoint',
    args: ['eval', '--ckpt', 'tiny/best'],
    expect: /^gan: --ckpt tiny\/best: no best checkpoint in checkpoints\/tiny \(set eval\.every/,
  },
  {
    name: '--ckpt with a corrupted model.json',
    args: ['eval', '--ckpt', 'broken'],
    expect: /^gan: checkpoints\/broken\/epoch-0001\/generator-ema\/model\.json: corrupted model\.json/,
  },
  {
    name: '--no-ema with truncated weights',
    args: ['eval', '--ckpt', 'broken', '--no-ema'],
    expect: /^gan: checkpoints\/broken\/epoch-0001\/generator\/weights\.bin: 100 bytes, but model\.json describes \d+/,
  },
  {
    name: '--out-dir without runs',
    args: ['eval', '--out-dir', 'empty-runs'],
    expect: /^gan: --ckpt latest: no checkpoints under empty-runs\//,
  },
  {
    name: '--seed negative',
    args: ['eval', '--seed', '-1'],
    expect: /^gan: --seed -1: expected an integer ≥ 0$/,
  },
  { name: '--seed a word', args: ['eval', '--seed', 'lucky'], expect: /^gan: --seed lucky: expected an integer ≥ 0$/ },
  {
    name: '--truncation 0',
    args: ['eval', '--truncation', '0'],
    expect: /^gan: --truncation 0: expected a number from 0\.05 to 10$/,
  },
  {
    name: '--truncation too large',
    args: ['eval', '--truncation', '11'],
    expect: /^gan: --truncation 11: expected a number from 0\.05 to 10$/,
  },
  {
    name: '--truncation a word',
    args: ['eval', '--truncation', 'half'],
    expect: /^gan: --truncation half: expected a number from 0\.05 to 10$/,
  },
  {
    name: '--classifier-epochs 0',
    args: ['eval', '--classifier-epochs', '0'],
    expect: /^gan: --classifier-epochs 0: expected an integer ≥ 1$/,
  },
  {
    name: '--classifier-epochs fractional',
    args: ['eval', '--classifier-epochs', '1.5'],
    expect: /^gan: --classifier-epochs 1\.5: expected an integer ≥ 1$/,
  },
  {
    name: '--backend unknown',
    args: ['eval', '--backend', 'gpu'],
    expect: /--backend.*gpu.*(invalid|Allowed choices)/i,
  },
  {
    name: '--json naming a directory',
    args: ['eval', '--ckpt', 'tiny', '--n', '50', '--json', 'json-dir'],
    expect: /^gan: --json json-dir: is a directory; expected the path of a \.json file$/,
  },
  {
    name: '--json under a file',
    args: ['eval', '--ckpt', 'tiny', '--n', '50', '--json', 'tiny.yaml/eval.json'],
    expect: /^gan: --json tiny\.yaml\/eval\.json: tiny\.yaml is not a directory$/,
  },
  {
    name: '--json into a checkpoint',
    args: ['eval', '--ckpt', 'tiny', '--n', '50', '--json', 'checkpoints/tiny/epoch-0001/eval.json'],
    expect:
      /^gan: --json checkpoints\/tiny\/epoch-0001\/eval\.json: lies inside checkpoint checkpoints\/tiny\/epoch-0001; choose another --json$/,
  },
  {
    name: "--json over the run's latest.json",
    args: ['eval', '--ckpt', 'tiny', '--n', '50', '--json', 'checkpoints/tiny/latest.json'],
    expect: /^gan: --json checkpoints\/tiny\/latest\.json: lies inside run directory checkpoints\/tiny /,
  },
  {
    name: '--json empty',
    args: ['eval', '--ckpt', 'tiny', '--n', '50', '--json', ''],
    expect: /^gan: --json: expected the path of a \.json file$/,
  },
  {
    name: 'an unknown option',
    args: ['eval', '--fid-only'],
    expect: /unknown option '--fid-only'/,
  },
];

export const table: BadInputTable = {
  area: 'eval section and gan eval',
  cases,
  setup(work) {
    const tiny = (evalSection: string) =>
      [
        'data: { source: bundled, limit: 64 }',
        'model: { arch: mlp, latent_dim: 8, g_widths: [32], d_widths: [32] }',
        'train: { epochs: 1, batch_size: 32 }',
        'sample: { grid: 4 }',
        'backend: cpu',
        'eval:',
        evalSection,
        '',
      ].join('\n');
    writeFileSync(join(work, 'eval-n2.yaml'), tiny('  n: 2'));
    writeFileSync(join(work, 'eval-key.yaml'), tiny('  samples: 100'));
    mkdirSync(join(work, 'json-dir'), { recursive: true });
    mkdirSync(join(work, 'empty-runs'), { recursive: true });
  },
};
