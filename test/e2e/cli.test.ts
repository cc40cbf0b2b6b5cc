// The CLI beyond the smoke run: refusing and resuming an existing run, conditional and ACGAN
// runs, evaluation during training, bad input.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { PNG } from 'pngjs';
import { ROOT, runGan } from '../helpers.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let work: string;

before(() => {
  work = tempDir('gan-smoke-');
  cpSync(join(ROOT, 'configs'), join(work, 'configs'), { recursive: true });
  const trained = runGan(['train', '--config', 'smoke.yaml'], {
    cwd: work,
    env: { GAN_DATA_MIRRORS: 'http://127.0.0.1:9/' },
  });
  assert.equal(trained.status, 0, trained.stderr);
});

test('training into an existing run refuses without --resume/--force, and --resume continues', () => {
  const again = runGan(['train', '--config', 'smoke.yaml'], { cwd: work });
  assert.equal(again.status, 2);
  assert.match(again.stderr, /^gan: checkpoints\/smoke: run directory already exists; continue it with --resume/);
  const resumed = runGan(['train', '--config', 'smoke.yaml', '--resume', '--epochs', '3'], { cwd: work });
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(
    resumed.stdout,
    /resuming checkpoints\/smoke from checkpoints\/smoke\/epoch-0002 \(epoch 3, iteration 0, step 16\)/,
  );
  const metrics = readFileSync(join(work, 'checkpoints', 'smoke', 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n');
  assert.equal(metrics.length, 3);
});

test('a checkpoint saved before a config key existed still resumes (the key takes its default)', () => {
  // Simulate a checkpoint from before model.conditioning / train.class_weight were added.
  const latest = JSON.parse(readFileSync(join(work, 'checkpoints', 'smoke', 'latest.json'), 'utf8')) as { dir: string };
  const statePath = join(work, 'checkpoints', 'smoke', latest.dir, 'state.json');
  const state = JSON.parse(readFileSync(statePath, 'utf8')) as {
    config: { model: Record<string, unknown>; train: Record<string, unknown> };
  };
  delete state.config.model['conditioning'];
  delete state.config.train['class_weight'];
  writeFileSync(statePath, JSON.stringify(state));
  const resumed = runGan(['train', '--config', 'smoke.yaml', '--resume', '--epochs', '4'], { cwd: work });
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stdout, /resuming checkpoints\/smoke from /);
});

test('a conditional run (with class norm) samples one class on request and rejects classes it does not have', () => {
  const train = runGan(
    [
      'train',
      '--config',
      'smoke.yaml',
      '--epochs',
      '1',
      '--set',
      'model.conditional=true',
      '--set',
      'run.name=cond',
      '--set',
      'train.loss=hinge',
      '--set',
      'train.lr_decay=0.5',
      '--set',
      'train.r1=0.5',
      '--set',
      'train.r1_every=4',
      '--set',
      'model.class_norm=true',
    ],
    { cwd: work },
  );
  assert.equal(train.status, 0, train.stderr);
  assert.match(train.stdout, /dcgan \(conditional, projection, class norm\), hinge loss/);
  assert.match(
    train.stdout,
    /\(\d+ in all, batch \d+\); R1 γ 0\.5 every 4 D updates; learning rates fall to 0 over the last 50%$/m,
  );
  const grid = PNG.sync.read(readFileSync(join(work, 'checkpoints', 'cond', 'samples', 'epoch-0001.png')));
  assert.equal(grid.height, 10 * 28 + 11 * 2, 'conditional grid: one row per class');
  const one = runGan(['sample', '--ckpt', 'cond', '--n', '4', '--class', '3', '--seed', '1'], { cwd: work });
  assert.equal(one.status, 0, one.stderr);
  assert.match(one.stdout, /wrote 4 samples of class 3 .*\(ema weights, seed 1\)/);
  const bad = runGan(['sample', '--ckpt', 'cond', '--class', '11'], { cwd: work });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^gan: --class 11: expected a class from 0 to 9$/m);
  const uncond = runGan(['sample', '--ckpt', 'smoke', '--class', '1'], { cwd: work });
  assert.equal(uncond.status, 2);
  assert.match(uncond.stderr, /--class 1: .* holds an unconditional generator/);
});

test('an ACGAN run (model.conditioning=acgan, minibatch std) trains, resumes and samples one class', () => {
  const args = [
    'train',
    '--config',
    'smoke.yaml',
    '--set',
    'model.conditional=true',
    '--set',
    'model.conditioning=acgan',
    '--set',
    'model.minibatch_std=true',
    '--set',
    'run.name=acgan',
  ];
  const train = runGan([...args, '--epochs', '1'], { cwd: work });
  assert.equal(train.status, 0, train.stderr);
  assert.match(train.stdout, /dcgan \(conditional, acgan, minibatch std\), bce loss/);
  const d = JSON.parse(
    readFileSync(join(work, 'checkpoints', 'acgan', 'epoch-0001', 'discriminator', 'model.json'), 'utf8'),
  ) as {
    modelTopology: { config: { input_layers: unknown[]; output_layers: unknown[] } };
  };
  assert.equal(d.modelTopology.config.input_layers.length, 1, 'an ACGAN D takes the image only');
  assert.equal(d.modelTopology.config.output_layers.length, 2, 'and outputs a logit and class logits');
  const resumed = runGan([...args, '--resume', '--epochs', '2'], { cwd: work });
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stdout, /resuming checkpoints\/acgan from checkpoints\/acgan\/epoch-0001/);
  const one = runGan(['sample', '--ckpt', 'acgan', '--n', '4', '--class', '7'], { cwd: work });
  assert.equal(one.status, 0, one.stderr);
  assert.match(one.stdout, /wrote 4 samples of class 7/);
});

test('eval.every evaluates during training, logs FID per epoch and keeps the best checkpoint', () => {
  // The evaluation classifier learns from all 8,000 training digits whatever data.limit: one epoch keeps it quick.
  const evalSets = ['--set', 'eval.every=1', '--set', 'eval.n=64', '--set', 'eval.classifier_epochs=1'];
  const r = runGan(['train', '--config', 'smoke.yaml', '--set', 'run.name=evald', ...evalSets], { cwd: work });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /training the evaluation classifier on bundled: 8,000 .*\(1 epoch;/);
  assert.match(r.stdout, /epoch 1\/2 .*FID \d+\.\d+ \(floor \d+\.\d+\)/);
  const metrics = readFileSync(join(work, 'checkpoints', 'evald', 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(
    metrics.every((m) => Number.isFinite(m.fid) && Number.isFinite(m.score)),
    'fid and score on every evaluated epoch',
  );
  const best = JSON.parse(readFileSync(join(work, 'checkpoints', 'evald', 'best.json'), 'utf8'));
  const bestEpoch = metrics.reduce((a, m) => (m.fid < a.fid ? m : a)).epoch;
  assert.equal(best.epoch, bestEpoch, 'best.json names the lowest-FID epoch');
  const s = runGan(['sample', '--ckpt', 'evald/best', '--n', '4', '--seed', '1'], { cwd: work });
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stdout, new RegExp(`from checkpoints/evald/epoch-000${bestEpoch} `));
});

test('bad input: one line naming the problem, exit code 2', () => {
  const cases: [string[], RegExp][] = [
    [['train', '--config', 'nope.yaml'], /^gan: nope\.yaml: config file not found/],
    [['train', '--config', 'smoke.yaml', '--set', 'train.bogus=1'], /^gan: --set train\.bogus: unknown key/],
    [['sample', '--ckpt', 'no-such-run'], /^gan: --ckpt no-such-run: no such checkpoint/],
    [['sample', '--n', '0'], /^gan: --n 0: expected an integer from 1 to 100000/],
    [['train', '--config', 'smoke.yaml', '--backend', 'gpu'], /--backend.*gpu.*(invalid|Allowed choices)/i],
  ];
  for (const [args, pattern] of cases) {
    const r = runGan(args, { cwd: work });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});
