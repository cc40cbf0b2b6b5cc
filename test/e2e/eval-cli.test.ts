// `gan eval` end to end, as a user runs it: the real CLI trains the smoke config, then
// evaluates its checkpoint twice (the first run trains a tiny evaluation classifier, the second
// reuses it) and must print and write identical numbers.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, runGan } from '../helpers.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let work: string;
let out: string;
let first: ReturnType<typeof runGan>;

before(() => {
  work = tempDir('gan-evalcli-');
  out = join(work, 'runs');
  cpSync(join(ROOT, 'configs'), join(work, 'configs'), { recursive: true });
  const train = runGan(['train', '--config', 'smoke.yaml', '--set', `run.out_dir=${out}`], { cwd: work });
  assert.equal(train.status, 0, train.stderr);
  // One classifier epoch (on the 8,000 bundled training digits, whatever the run's data.limit)
  // and 200 generated images: well under a minute.
  first = evalSmall('smoke');
});
after(() => rmSync(work, { recursive: true, force: true }));

/** `gan eval --ckpt CKPT` at the tests' small size (200 images, a one-epoch classifier), plus `extra`. */
function evalSmall(ckpt: string, extra: string[] = []): ReturnType<typeof runGan> {
  return runGan(['eval', '--ckpt', ckpt, '--out-dir', out, '--n', '200', '--classifier-epochs', '1', ...extra], {
    cwd: work,
  });
}

/** The JSON minus what legitimately differs between two runs. */
function numbers(path: string): Record<string, unknown> {
  const {
    time: _time,
    eval_seconds: _seconds,
    ...rest
  } = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  return rest;
}

test('gan eval trains the classifier on first use, prints the table and writes <run>/eval-epochNNNN.json', () => {
  assert.equal(first.status, 0, first.stderr);
  const lines = first.stdout.split('\n');
  assert.match(lines[0]!, /^engine: /);
  assert.match(first.stdout, /^classifier epoch 1\/1 /m, 'one plain progress line per classifier epoch off a terminal');
  assert.match(
    first.stdout,
    /^classifier: .*classifiers[/\\]mnist-[0-9a-f]{16} \(trained now; test accuracy [\d.]+% on 2000 images/m,
  );
  assert.match(
    first.stdout,
    /^FID \(classifier features\)\s+[\d.]+\s+floor [\d.]+ \(200 real train vs 2000 real test\)$/m,
  );
  assert.match(first.stdout, /^classifier score\s+[\d.]+\s+real test [\d.]+ \(max 10\)$/m);
  assert.match(first.stdout, /^class coverage: max deviation\s+[\d.]+%/m);
  const accuracy = Number(/test accuracy ([\d.]+)%/.exec(first.stdout)![1]);
  assert.equal(
    /warning: the evaluation classifier is right on only/.test(first.stderr),
    accuracy < 90,
    `a classifier right on ${accuracy}% is flagged as weak exactly when below 90%`,
  );

  const jsonPath = join(out, 'smoke', 'eval-epoch0002.json');
  assert.match(first.stdout, new RegExp(`wrote ${jsonPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  const r = JSON.parse(readFileSync(jsonPath, 'utf8'));
  assert.equal(r.epoch, 2);
  assert.equal(r.eval_n, 200);
  assert.equal(r.eval_seed, 0);
  assert.equal(r.dataset, 'mnist');
  assert.ok(r.fid >= 0 && r.fid_floor >= 0 && Number.isFinite(r.fid));
  assert.ok(r.score >= 1 && r.score <= 10, 'the classifier score, under the name the run report charts');
  assert.ok(r.real_score >= 1 && r.real_score <= 10);
  assert.equal(
    r.coverage_histogram.reduce((a: number, b: number) => a + b, 0),
    200,
  );
  assert.equal(r.conditional_accuracy, null, 'the smoke generator is unconditional');
  assert.equal(r.per_class_fid, null);
  assert.ok(Number.isFinite(r.kid) && r.kid_std > 0 && r.kid_subsets === 50 && r.kid_subset_size === 200);
  assert.ok(r.precision >= 0 && r.precision <= 1 && r.recall >= 0 && r.recall <= 1 && r.precision_recall_k === 3);
  assert.match(
    first.stdout,
    /^KID \(classifier features\)\s+-?[\d.]+\s+real vs real -?[\d.]+; ± [\d.]+ over 50 subsets of 200 real, each against all 200 generated \(the ± leaves out the generated side's sampling\)$/m,
  );
  assert.match(first.stdout, /^precision\s+[\d.]+%\s+real vs real [\d.]+%; generated images inside the real manifold/m);
  assert.match(
    first.stdout,
    /^recall\s+[\d.]+%\s+real vs real [\d.]+%; real images inside the generated manifold \(variety\); k = 3, 200 per side$/m,
  );
  assert.ok(Number.isFinite(r.kid_floor) && r.kid_floor_std > 0, 'real vs real KID, as measured for the floor');
  assert.ok(r.precision_floor > 0 && r.precision_floor <= 1 && r.recall_floor > 0 && r.recall_floor <= 1);
  assert.equal(r.classifier.epochs, 1);
  assert.ok(existsSync(join(r.classifier.dir, 'info.json')));
});

test('evaluating the same checkpoint again reuses the classifier and gives identical numbers', () => {
  assert.equal(first.status, 0, first.stderr);
  const jsonPath = join(out, 'smoke', 'eval-epoch0002.json');
  const before1 = numbers(jsonPath);
  const classifierDir = before1.classifier as { dir: string };
  const infoMtime = statSync(join(classifierDir.dir, 'info.json')).mtimeMs;
  const again = evalSmall(join(out, 'smoke'), ['--json', join(work, 'again.json')]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /\(cached; test accuracy/);
  assert.doesNotMatch(again.stdout, /classifier epoch/);
  assert.equal(
    statSync(join(classifierDir.dir, 'info.json')).mtimeMs,
    infoMtime,
    'the cached classifier is not rewritten',
  );
  assert.deepEqual(numbers(join(work, 'again.json')), before1);
  const table = (s: string) => s.split('\n').filter((l) => /^(FID|classifier score|class coverage)/.test(l));
  assert.deepEqual(table(again.stdout), table(first.stdout), 'the printed table is identical too');
  assert.deepEqual(readdirSync(join(out, 'classifiers')).length, 1);
});

test('--no-ema on an epoch directory evaluates the raw generator; a different seed gives other numbers', () => {
  const path = join(work, 'raw.json');
  const r = evalSmall(join(out, 'smoke', 'epoch-0001'), ['--no-ema', '--seed', '3', '--json', path]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(json.weights, 'raw');
  assert.equal(json.epoch, 1);
  assert.equal(json.eval_seed, 3);
  assert.notEqual(json.fid, numbers(join(out, 'smoke', 'eval-epoch0002.json')).fid);
});

test('evaluating the raw generator or truncated noise writes its own file beside the plain evaluation', () => {
  const plain = join(out, 'smoke', 'eval-epoch0002.json');
  const before = readFileSync(plain, 'utf8');
  const r = evalSmall(join(out, 'smoke'), ['--no-ema', '--truncation', '1']);
  assert.equal(r.status, 0, r.stderr);
  const variant = join(out, 'smoke', 'eval-epoch0002-raw-psi1.json');
  assert.match(r.stdout, new RegExp(`wrote .*eval-epoch0002-raw-psi1\\.json`));
  const json = JSON.parse(readFileSync(variant, 'utf8'));
  assert.equal(json.weights, 'raw');
  assert.equal(json.truncation, 1);
  assert.equal(readFileSync(plain, 'utf8'), before, 'the plain evaluation is left as it was');
});

test('bad input is a one-line error with exit code 2', () => {
  const missing = runGan(['eval', '--ckpt', 'nope', '--out-dir', out], { cwd: work });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^gan: --ckpt nope: no such checkpoint/);
  assert.equal(missing.stderr.trim().split('\n').length, 1);
  const badN = runGan(['eval', '--n', '3'], { cwd: work });
  assert.equal(badN.status, 2);
  assert.match(badN.stderr, /--n 3: expected an integer from 4 to 100000/);
});

test('a conditional generator is asked for classes in the training proportions and scored on agreeing', () => {
  const train = runGan(
    [
      'train',
      '--config',
      'smoke.yaml',
      '--set',
      `run.out_dir=${out}`,
      '--set',
      'run.name=cond',
      '--set',
      'model.conditional=true',
    ],
    { cwd: work },
  );
  assert.equal(train.status, 0, train.stderr);
  const path = join(work, 'cond.json');
  const r = evalSmall('cond', ['--json', path]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\(cached; test accuracy/, 'same dataset as the smoke run: the same classifier');
  assert.match(
    r.stdout,
    /^conditional accuracy\s+[\d.]+%\s+classifier agrees with the requested class; requested (\d+ ){10}\(the training proportions\)$/m,
  );
  const json = JSON.parse(readFileSync(path, 'utf8'));
  assert.ok(json.conditional_accuracy >= 0 && json.conditional_accuracy <= 1);
  assert.equal(json.requested_classes.length, 10);
  assert.equal(
    json.requested_classes.reduce((a: number, b: number) => a + b, 0),
    200,
  );
  assert.equal(json.per_class_fid.length, 10, 'one FID per class against that class’s test images');
  assert.ok(json.per_class_fid.every((f: number) => Number.isFinite(f) && f >= 0));
  assert.match(r.stdout, /^per-class FID: mean\s+[\d.]+\s+each class vs its test images: ([\d.]+ ){9}[\d.]+$/m);
});
