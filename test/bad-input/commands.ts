// The commands that read a trained run and write elsewhere: sample, interpolate, export,
// classify, selftrain, report and classifier train. Every option given a bad value, and every
// --out that points into a checkpoint or a run's own files (directly, through `..` or through a
// symbolic link), which must be refused before anything is written.
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeIdx } from '../../src/data/idx.ts';
import { encodeNpy } from '../../src/image.ts';
import { runGan } from '../helpers.ts';
import type { BadInputCase, BadInputTable } from './case.ts';

/** A tiny semi-supervised run, the only kind `gan classify` and `--ssgan-runs` take. */
const SEMI = `
data: { source: bundled, limit: 64 }
model: { arch: ssgan, latent_dim: 8, g_widths: [32], d_widths: [32] }
train: { epochs: 1, batch_size: 32 }
ssgan: { labels: 20 }
sample: { grid: 4 }
backend: cpu
`;

/** A .npy of `count` 28×28 images as `gan sample --format npy` lays it out, with `values` written over the start. */
function npy(count: number, values: number[] = []): Buffer {
  const bytes = encodeNpy({ pixels: new Float32Array(count * 28 * 28), count, height: 28, width: 28, channels: 1 });
  const dataStart = bytes.length - count * 28 * 28 * 4;
  values.forEach((v, i) => bytes.writeFloatLE(v, dataStart + 4 * i));
  return bytes;
}

const labelsIdx = (labels: number[]) =>
  encodeIdx({ kind: 'labels', count: labels.length, labels: Uint8Array.from(labels) });

/** Refused because the path lies in checkpoint `dir` (a regex source). */
const inCheckpoint = (option: string, path: string, dir: string) =>
  new RegExp(`^gan: ${option} ${path}: lies inside checkpoint ${dir}; choose another ${option}$`);

/** Refused because the path lies in run directory `dir`, outside its samples/. */
const inRun = (option: string, path: string, dir: string) =>
  new RegExp(`^gan: ${option} ${path}: lies inside run directory ${dir} \\(only its samples/ takes other output\\)`);

const emptyPath = (option: string) => new RegExp(`^gan: ${option} '': expected a path$`);

const CKPT = 'checkpoints/tiny/epoch-0001';
const SEMI_CKPT = 'checkpoints/semi/epoch-0001';

const sample: BadInputCase[] = [
  { name: 'sample --out empty', args: ['sample', '--ckpt', 'tiny', '--out', ''], expect: emptyPath('--out') },
  {
    name: 'sample --out over a checkpoint file',
    args: ['sample', '--ckpt', 'tiny', '--out', `${CKPT}/generator/weights.bin`],
    expect: inCheckpoint('--out', `${CKPT}/generator/weights\\.bin`, CKPT),
  },
  {
    name: 'sample --format png into a checkpoint',
    args: ['sample', '--ckpt', 'tiny', '--format', 'png', '--out', CKPT],
    expect: inCheckpoint('--out', CKPT, CKPT),
  },
  {
    name: "sample --out over the run's latest.json",
    args: ['sample', '--ckpt', 'tiny', '--out', 'checkpoints/tiny/latest.json'],
    expect: inRun('--out', 'checkpoints/tiny/latest\\.json', 'checkpoints/tiny'),
  },
  {
    name: 'sample --out through a symbolic link to a checkpoint',
    args: ['sample', '--ckpt', 'tiny', '--out', 'link-to-checkpoint/grid.png'],
    expect: inCheckpoint('--out', 'link-to-checkpoint/grid\\.png', CKPT),
  },
  {
    name: 'sample --out through .. into a checkpoint',
    args: ['sample', '--ckpt', 'tiny', '--out', `somewhere/../${CKPT}/grid.png`],
    expect: inCheckpoint('--out', `somewhere/\\.\\./${CKPT}/grid\\.png`, CKPT),
  },
  {
    name: 'sample --out through a symbolic link and ..',
    args: ['sample', '--ckpt', 'tiny', '--out', 'link-to-generator/../grid.png'],
    expect: inCheckpoint('--out', 'link-to-generator/\\.\\./grid\\.png', CKPT),
  },
  {
    name: 'sample --format unknown',
    args: ['sample', '--ckpt', 'tiny', '--format', 'bmp'],
    expect: /--format <format>.*'bmp' is invalid\. Allowed choices are grid, png, npy/,
  },
  {
    name: 'sample --seed negative',
    args: ['sample', '--seed', '-1'],
    expect: /^gan: --seed -1: expected an integer ≥ 0$/,
  },
  {
    name: 'sample --class negative',
    args: ['sample', '--ckpt', 'cond', '--class', '-1'],
    expect: /^gan: --class -1: expected an integer ≥ 0$/,
  },
  { name: 'sample --n not a number', args: ['sample', '--n', 'many'], expect: /^gan: --n many: expected an integer/ },
  {
    name: 'sample --truncation not a number',
    args: ['sample', '--truncation', 'x'],
    expect: /^gan: --truncation x: expected a number from 0\.05 to 10$/,
  },
  { name: 'sample --out-dir empty', args: ['sample', '--out-dir', ''], expect: emptyPath('--out-dir') },
  {
    name: 'sample --out-dir without runs',
    args: ['sample', '--out-dir', 'no-runs-here'],
    expect: /^gan: --ckpt latest: no checkpoints under no-runs-here\//,
  },
];

const interpolate: BadInputCase[] = [
  {
    name: 'interpolate --steps 1',
    args: ['interpolate', '--steps', '1'],
    expect: /^gan: --steps 1: expected an integer from 2 to 256$/,
  },
  {
    name: 'interpolate --rows 0',
    args: ['interpolate', '--rows', '0'],
    expect: /^gan: --rows 0: expected an integer from 1 to 256$/,
  },
  {
    name: 'interpolate --class on an unconditional run',
    args: ['interpolate', '--ckpt', 'tiny', '--class', '3:8'],
    expect: /^gan: --class 3:8: this generator is not class-conditional/,
  },
  {
    name: 'interpolate --class not A:B',
    args: ['interpolate', '--ckpt', 'cond', '--class', '3-8'],
    expect: /^gan: --class 3-8: expected A:B with class ids from 0 to 9, e\.g\. --class 3:8$/,
  },
  {
    name: 'interpolate --class beyond the classes',
    args: ['interpolate', '--ckpt', 'cond', '--class', '3:10'],
    expect: /^gan: --class 3:10: expected A:B with class ids from 0 to 9/,
  },
  { name: 'interpolate --out empty', args: ['interpolate', '--out', ''], expect: emptyPath('--out') },
  {
    name: 'interpolate --out over state.json',
    args: ['interpolate', '--ckpt', 'cond', '--out', 'checkpoints/cond/epoch-0001/state.json'],
    expect: inCheckpoint('--out', 'checkpoints/cond/epoch-0001/state\\.json', 'checkpoints/cond/epoch-0001'),
  },
  {
    name: "interpolate --out over the run's config.yaml",
    args: ['interpolate', '--ckpt', 'cond', '--out', 'checkpoints/cond/config.yaml'],
    expect: inRun('--out', 'checkpoints/cond/config\\.yaml', 'checkpoints/cond'),
  },
  {
    name: 'interpolate --ckpt missing',
    args: ['interpolate', '--ckpt', 'nope'],
    expect: /^gan: --ckpt nope: no such checkpoint/,
  },
];

const exportCases: BadInputCase[] = [
  { name: 'export without --out', args: ['export'], expect: /required option '-o, --out <dir>' not specified/ },
  { name: 'export --out empty', args: ['export', '--out', ''], expect: emptyPath('--out') },
  {
    name: "export --out over the checkpoint's generator",
    args: ['export', '--ckpt', 'tiny', '--out', `${CKPT}/generator`],
    expect: inCheckpoint('--out', `${CKPT}/generator`, CKPT),
  },
  {
    name: 'export --out the run directory',
    args: ['export', '--ckpt', 'tiny', '--out', 'checkpoints/tiny'],
    expect: inRun('--out', 'checkpoints/tiny', 'checkpoints/tiny'),
  },
  {
    name: "export --out through a symbolic link to a checkpoint's generator",
    args: ['export', '--ckpt', 'tiny', '--out', 'link-to-generator'],
    expect: inCheckpoint('--out', 'link-to-generator', CKPT),
  },
  {
    name: 'export --out an existing file',
    args: ['export', '--ckpt', 'tiny', '--out', 'tiny.yaml'],
    expect: /^gan: --out tiny\.yaml: is a file; expected a directory to write the export into$/,
  },
];

const classify: BadInputCase[] = [
  {
    name: 'classify --labels without --images',
    args: ['classify', '--ckpt', 'semi', '--labels', 'labels-ok.idx'],
    expect: /^gan: --labels labels-ok\.idx: only with --images \(a split brings its own labels\)$/,
  },
  {
    name: 'classify --images a directory',
    args: ['classify', '--ckpt', 'semi', '--images', 'checkpoints'],
    expect: /^gan: --images checkpoints: is a directory; expected a \.npy or IDX file$/,
  },
  {
    name: 'classify --images missing',
    args: ['classify', '--ckpt', 'semi', '--images', 'missing.npy'],
    expect: /^gan: --images missing\.npy: file not found$/,
  },
  { name: 'classify --images empty', args: ['classify', '--images', ''], expect: emptyPath('--images') },
  {
    name: 'classify --images with a NaN pixel',
    args: ['classify', '--ckpt', 'semi', '--images', 'nan.npy'],
    expect: /^gan: nan\.npy: a NaN value \(image 1\); expected values in \[0, 1\]$/,
  },
  {
    name: 'classify --images with 0-255 pixels',
    args: ['classify', '--ckpt', 'semi', '--images', 'bytes.npy'],
    expect: /^gan: bytes\.npy: values up to 255 \(image 1\); expected \[0, 1\] \(divide 0–255 images by 255\)$/,
  },
  {
    name: 'classify --images with no images (.npy)',
    args: ['classify', '--ckpt', 'semi', '--images', 'none.npy'],
    expect: /^gan: none\.npy: no images \(shape \(0, 28, 28\)\)$/,
  },
  {
    name: 'classify --images with no images (IDX)',
    args: ['classify', '--ckpt', 'semi', '--images', 'none.idx'],
    expect: /^gan: --images none\.idx: holds no images; expected at least one$/,
  },
  {
    name: 'classify --labels beyond the classes',
    args: ['classify', '--ckpt', 'semi', '--images', 'two.npy', '--labels', 'labels-big.idx'],
    expect: /^gan: labels-big\.idx: label 12 at position 1; expected labels from 0 to 9 \(the classifier's classes\)$/,
  },
  {
    name: 'classify --labels of another length',
    args: ['classify', '--ckpt', 'semi', '--images', 'two.npy', '--labels', 'labels-three.idx'],
    expect: /^gan: labels-three\.idx: 3 labels for the 2 images of two\.npy$/,
  },
  {
    name: 'classify --images a labels file',
    args: ['classify', '--ckpt', 'semi', '--images', 'labels-ok.idx'],
    expect: /^gan: labels-ok\.idx: is an IDX labels file .* but images were expected here$/,
  },
  { name: 'classify --out empty', args: ['classify', '--out', ''], expect: emptyPath('--out') },
  {
    name: "classify --out over the discriminator's model.json",
    args: ['classify', '--ckpt', 'semi', '--out', `${SEMI_CKPT}/discriminator/model.json`],
    expect: inCheckpoint('--out', `${SEMI_CKPT}/discriminator/model\\.json`, SEMI_CKPT),
  },
  {
    name: "classify --out over the run's labelled.json",
    args: ['classify', '--ckpt', 'semi', '--out', 'checkpoints/semi/labelled.json'],
    expect: inRun('--out', 'checkpoints/semi/labelled\\.json', 'checkpoints/semi'),
  },
  {
    name: 'classify --split unknown',
    args: ['classify', '--split', 'validation'],
    expect: /--split <split>.*'validation' is invalid\. Allowed choices are test, train/,
  },
];

// Every selftrain case names --config missing.yaml: a check that let its input through would
// stop there instead of starting an experiment that takes minutes.
const selftrain = (...args: string[]) => ['selftrain', '--config', 'missing.yaml', ...args];

const selftrainCases: BadInputCase[] = [
  {
    name: 'selftrain --ssgan-runs with only a comma',
    args: selftrain('--ssgan-runs', ','),
    expect: /^gan: --ssgan-runs ,: an empty run name in the list; expected run names separated by commas/,
  },
  {
    name: 'selftrain --ssgan-runs with an empty item',
    args: selftrain('--ssgan-runs', 'semi,'),
    expect: /^gan: --ssgan-runs semi,: an empty run name in the list/,
  },
  {
    name: 'selftrain --ssgan-runs missing',
    args: selftrain('--ssgan-runs', 'nonexistent'),
    expect: /^gan: --ssgan-runs nonexistent: no such checkpoint/,
  },
  {
    name: 'selftrain --ssgan-runs not semi-supervised',
    args: selftrain('--ssgan-runs', 'tiny'),
    expect: /^gan: --ssgan-runs tiny: checkpoints\/tiny is not a semi-supervised run \(no labelled\.json\)$/,
  },
  {
    name: 'selftrain --ssgan-runs with a torn labelled.json',
    args: selftrain('--ssgan-runs', 'semi-torn', '--out-dir', 'other-runs'),
    expect: /^gan: other-runs\/semi-torn\/labelled\.json: unreadable \(/,
  },
  {
    name: 'selftrain --ssgan-runs with a labelled.json without its rows',
    args: selftrain('--ssgan-runs', 'semi-rowless', '--out-dir', 'other-runs'),
    expect:
      /^gan: other-runs\/semi-rowless\/labelled\.json: expected "indices", the labelled rows of the training split/,
  },
  {
    name: 'selftrain --ckpt missing',
    args: selftrain('--ssgan-runs', 'semi', '--ckpt', 'nonexistent'),
    expect: /^gan: --ckpt nonexistent: no such checkpoint/,
  },
  {
    name: 'selftrain --labels other than the runs',
    args: selftrain('--ssgan-runs', 'semi', '--labels', '30'),
    expect: /^gan: --labels 30: the semi-supervised runs were trained with 20$/,
  },
  {
    name: 'selftrain --recipes unknown',
    args: selftrain('--recipes', 'real,magic'),
    expect: /^gan: --recipes real,magic: unknown recipe magic; expected a comma list of real, /,
  },
  {
    name: 'selftrain --labels 0',
    args: selftrain('--labels', '0'),
    expect: /^gan: --labels 0: expected an integer ≥ 1$/,
  },
  {
    name: 'selftrain --repeats 0',
    args: selftrain('--repeats', '0'),
    expect: /^gan: --repeats 0: expected an integer from 1 to 100$/,
  },
  { name: 'selftrain --steps 0', args: selftrain('--steps', '0'), expect: /^gan: --steps 0: expected an integer ≥ 1$/ },
  {
    name: 'selftrain --shift 9',
    args: selftrain('--shift', '9'),
    expect: /^gan: --shift 9: expected an integer from 0 to 8$/,
  },
  {
    name: 'selftrain --threshold 1.5',
    args: selftrain('--threshold', '1.5'),
    expect: /^gan: --threshold 1\.5: expected a number from 0 to 1$/,
  },
  {
    name: 'selftrain --per-class 0',
    args: selftrain('--per-class', '0'),
    expect: /^gan: --per-class 0: expected an integer from 1 to 100000$/,
  },
  {
    name: 'selftrain --validation-per-class 11',
    args: selftrain('--validation-per-class', '11'),
    expect:
      /^gan: --validation-per-class 11: at most 10 \(a larger labelled validation set is a hidden label budget\)$/,
  },
  { name: 'selftrain --json empty', args: selftrain('--json', ''), expect: emptyPath('--json') },
  {
    name: "selftrain --json over a run's metrics.jsonl",
    args: selftrain('--json', 'checkpoints/tiny/metrics.jsonl'),
    expect: inRun('--json', 'checkpoints/tiny/metrics\\.jsonl', 'checkpoints/tiny'),
  },
  {
    name: 'selftrain --config missing',
    args: ['selftrain', '--config', 'missing.yaml'],
    expect: /^gan: missing\.yaml: config file not found/,
  },
];

const report: BadInputCase[] = [
  { name: 'report of a missing run', args: ['report', 'nope'], expect: /^gan: gan report nope: no such checkpoint/ },
  { name: 'report of an empty name', args: ['report', ''], expect: /^gan: gan report '': no such checkpoint/ },
  {
    name: 'report of a directory inside a checkpoint',
    args: ['report', `${CKPT}/generator`],
    expect: /^gan: gan report checkpoints\/tiny\/epoch-0001\/generator: no such checkpoint/,
  },
  {
    name: 'report --out-dir without runs',
    args: ['report', '--out-dir', 'no-runs-here'],
    expect: /^gan: gan report latest: no checkpoints under no-runs-here\//,
  },
  { name: 'report --out-dir empty', args: ['report', 'tiny', '--out-dir', ''], expect: emptyPath('--out-dir') },
];

const classifier: BadInputCase[] = [
  {
    name: 'classifier train --config missing',
    args: ['classifier', 'train', '--config', 'missing.yaml'],
    expect: /^gan: missing\.yaml: config file not found/,
  },
  {
    name: 'classifier train --epochs 0',
    args: ['classifier', 'train', '--config', 'tiny.yaml', '--epochs', '0'],
    expect: /^gan: --epochs 0: expected an integer ≥ 1$/,
  },
  {
    name: 'classifier train --set unknown key',
    args: ['classifier', 'train', '--config', 'tiny.yaml', '--set', 'data.colour=1'],
    expect: /^gan: --set data\.colour: unknown key \(known keys in data: /,
  },
  {
    name: 'classifier train --out-dir empty',
    args: ['classifier', 'train', '--config', 'tiny.yaml', '--out-dir', ''],
    expect: emptyPath('--out-dir'),
  },
  {
    name: 'classifier train --out-dir inside a checkpoint',
    args: ['classifier', 'train', '--config', 'tiny.yaml', '--out-dir', CKPT],
    expect: inCheckpoint('--out-dir', CKPT, CKPT),
  },
  {
    name: 'classifier train --backend unknown',
    args: ['classifier', 'train', '--backend', 'tpu'],
    expect: /--backend <engine>.*'tpu' is invalid/,
  },
];

export const table: BadInputTable = {
  area: 'sample, interpolate, export, classify and selftrain',
  cases: [...sample, ...interpolate, ...exportCases, ...classify, ...selftrainCases, ...report, ...classifier],
  setup(work) {
    writeFileSync(join(work, 'semi.yaml'), SEMI);
    const r = runGan(['train', '--config', 'semi.yaml', '--set', 'run.name=semi'], { cwd: work });
    if (r.status !== 0) throw new Error(r.stderr);
    // Damaged copies of it, outside checkpoints/ so that `latest` still names the runs there.
    for (const [name, labelled] of [
      ['semi-torn', '{"count": 20, "indi'],
      ['semi-rowless', '{"count": 20}'],
    ] as const) {
      cpSync(join(work, 'checkpoints', 'semi'), join(work, 'other-runs', name), { recursive: true });
      writeFileSync(join(work, 'other-runs', name, 'labelled.json'), labelled);
    }
    symlinkSync(join(work, 'checkpoints', 'tiny', 'epoch-0001'), join(work, 'link-to-checkpoint'));
    symlinkSync(join(work, 'checkpoints', 'tiny', 'epoch-0001', 'generator'), join(work, 'link-to-generator'));
    mkdirSync(join(work, 'somewhere'), { recursive: true });
    writeFileSync(join(work, 'nan.npy'), npy(2, [0, 0.5, 1, NaN]));
    writeFileSync(join(work, 'bytes.npy'), npy(2, [0, 255, 17]));
    writeFileSync(join(work, 'none.npy'), npy(0));
    writeFileSync(join(work, 'two.npy'), npy(2, [0.25, 0.75]));
    writeFileSync(
      join(work, 'none.idx'),
      encodeIdx({ kind: 'images', count: 0, height: 28, width: 28, pixels: new Uint8Array(0) }),
    );
    writeFileSync(join(work, 'labels-ok.idx'), labelsIdx([1, 2]));
    writeFileSync(join(work, 'labels-big.idx'), labelsIdx([3, 12]));
    writeFileSync(join(work, 'labels-three.idx'), labelsIdx([1, 2, 3]));
  },
};
