// `gan selftrain`: the pure pieces (class-balanced subsets, pseudo-label thresholding, mean ±
// std) and one small end-to-end run through the real CLI on a conditional smoke checkpoint.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { balancedSubset, holdOut, without } from '../src/data/subsets.ts';
import { selectConfident } from '../src/selftrain/core.ts';
import { meanStd } from '../src/stats.ts';
import { parseRecipes } from '../src/commands/selftrain.ts';
import { ROOT, runGan } from './helpers.ts';
import { tempDir } from './helpers/temp-dir.ts';

describe('balancedSubset', () => {
  // 300 labels, 10 classes, uneven counts: classes 1–4 have 25 images, 5–9 have 24, class 0 has 80.
  const labels = Int32Array.from({ length: 300 }, (_, i) => (i < 245 ? i % 10 : 0));

  test('takes exactly perClass images of each class', () => {
    const picked = balancedSubset(labels, 10, 7, 1);
    assert.equal(picked.length, 70);
    const counts = new Array(10).fill(0);
    for (const i of picked) counts[labels[i]!]++;
    assert.deepEqual(counts, new Array(10).fill(7));
    assert.equal(new Set(picked).size, 70, 'no index twice');
  });

  test('is deterministic per seed and differs between seeds', () => {
    assert.deepEqual(balancedSubset(labels, 10, 5, 42), balancedSubset(labels, 10, 5, 42));
    assert.notDeepEqual(balancedSubset(labels, 10, 5, 42), balancedSubset(labels, 10, 5, 43));
  });

  test('draws only from the candidates, and names a class that is too small', () => {
    const { validation, rest } = holdOut(300, 30, 9);
    assert.equal(validation.length + rest.length, 300);
    assert.equal(without(rest, validation).length, rest.length, 'the split is disjoint');
    const picked = balancedSubset(labels, 10, 3, 5, rest);
    const held = new Set(validation);
    assert.ok(
      [...picked].every((i) => !held.has(i)),
      'never a validation image',
    );
    assert.throws(() => balancedSubset(labels, 10, 30, 1), /class 1 has only 25 images to choose from, 30 needed/);
  });
});

test('selectConfident keeps the rows at or above the threshold with their top class', () => {
  // prettier-ignore
  const probs = Float64Array.from([
    0.95, 0.03, 0.02, // row 0: class 0, sure
    0.30, 0.40, 0.30, // row 1: unsure
    0.05, 0.05, 0.90, // row 2: class 2, exactly at the threshold
    0.10, 0.89, 0.01, // row 3: just below
    0.00, 0.99, 0.01, // row 4: class 1
  ]);
  const kept = selectConfident({ probs, count: 5, classes: 3 }, 0.9);
  assert.deepEqual([...kept.indices], [0, 2, 4]);
  assert.deepEqual([...kept.labels], [0, 2, 1]);
  assert.deepEqual([...kept.confidence], [0.95, 0.9, 0.99]);
  assert.equal(selectConfident({ probs, count: 5, classes: 3 }, 1).indices.length, 0);
  assert.equal(selectConfident({ probs, count: 5, classes: 3 }, 0).indices.length, 5);
});

test('meanStd: mean and sample standard deviation', () => {
  const { mean, std, n } = meanStd([2, 4, 4, 4, 5, 5, 7, 9]);
  assert.equal(n, 8);
  assert.equal(mean, 5);
  assert.ok(Math.abs(std - Math.sqrt(32 / 7)) < 1e-12);
  assert.deepEqual(meanStd([0.7]), { mean: 0.7, std: 0, n: 1 });
  assert.ok(Math.abs(meanStd([0.5, 0.7]).std - Math.SQRT2 * 0.1) < 1e-12);
});

test('parseRecipes keeps the canonical order and rejects unknown names', () => {
  assert.deepEqual(parseRecipes(undefined), ['real', 'gan-augment', 'pseudo-label', 'cas']);
  assert.deepEqual(parseRecipes('cas,real'), ['real', 'cas']);
  assert.throws(() => parseRecipes('real,mixup'), /unknown recipe mixup/);
});

describe('gan selftrain end to end (smoke checkpoint)', () => {
  const work = tempDir('gan-selftrain-');
  const out = join(work, 'runs');
  after(() => rmSync(work, { recursive: true, force: true }));

  test(
    'trains a conditional smoke GAN, runs all four recipes, prints the table and writes ' + '<run>/selftrain.json',
    () => {
      cpSync(join(ROOT, 'configs'), join(work, 'configs'), { recursive: true });
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
          `run.out_dir=${out}`,
        ],
        { cwd: work },
      );
      assert.equal(train.status, 0, train.stderr);
      const r = runGan(
        [
          'selftrain',
          '--ckpt',
          'latest',
          '--out-dir',
          out,
          '--labels',
          '20',
          '--per-class',
          '10',
          '--repeats',
          '1',
          '--epochs',
          '1',
          '--threshold',
          '0.5',
        ],
        { cwd: work },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.match(
        r.stdout,
        /^generator: .*epoch-0001 \(ema weights, conditional; trained on 256 mnist training images WITH their labels\)$/m,
      );
      assert.match(
        r.stdout,
        /^labelled: 20 real images \(2 per class\); validation: 26 real train images held out; test: 2000 real test images$/m,
      );
      assert.match(r.stdout, /^classifier: .*1 epoch per classifier/m);
      assert.match(
        r.stdout,
        /^repeat 1\/1\s{2}pseudo-label round 1\/1: kept \d+ of 100 unlabelled-real images at confidence ≥ 0\.5$/m,
      );
      assert.match(r.stdout, /^recipe\s+test accuracy\s+validation\s+train images\s+made of$/m);
      assert.match(r.stdout, /^real\s+[\d.]+% ± 0\.00\s+[\d.]+%\s+20\s{2}20 real$/m);
      assert.match(r.stdout, /^gan-augment\s+[\d.]+% ± 0\.00\s+[\d.]+%\s+120\s{2}20 real \+ 100 generated$/m);
      assert.match(
        r.stdout,
        /^pseudo-label\s+[\d.]+% ± 0\.00\s+[\d.]+%\s+\d+\s{2}20 real \+ \d+ pseudo-labelled \(round chosen on validation: [01]\)$/m,
      );
      assert.match(r.stdout, /^cas\s+[\d.]+% ± 0\.00\s+[\d.]+%\s+100\s{2}100 generated$/m);
      const jsonPath = join(out, 'smoke', 'selftrain.json');
      assert.match(r.stdout, /^wrote .*selftrain\.json$/m);
      const j = JSON.parse(readFileSync(jsonPath, 'utf8'));
      assert.equal(j.generator.conditional, true);
      assert.equal(j.generator.with_labels, true);
      assert.equal(j.dataset, 'mnist');
      assert.equal(j.test_count, 2000);
      assert.deepEqual(
        j.summary.map((s: { recipe: string }) => s.recipe),
        ['real', 'gan-augment', 'pseudo-label', 'cas'],
      );
      assert.deepEqual(j.skipped, []);
      assert.equal(j.runs.length, 4);
      for (const run of j.runs) {
        assert.ok(run.testAccuracy >= 0 && run.testAccuracy <= 1);
        assert.equal(run.epochs, 1);
      }
      const pseudo = j.runs.find((x: { recipe: string }) => x.recipe === 'pseudo-label');
      assert.equal(pseudo.pseudo.source, 'unlabelled-real');
      assert.equal(pseudo.pseudo.rounds.length, 2);
      assert.equal(j.settings.labels, 20);
      assert.equal(j.settings.per_class, 10);
    },
  );

  test(
    'an unconditional checkpoint skips gan-augment and cas with the reason; bad --labels is a one-line ' + 'error',
    () => {
      const train = runGan(
        ['train', '--config', 'smoke.yaml', '--epochs', '1', '--set', 'run.name=plain', '--set', `run.out_dir=${out}`],
        { cwd: work },
      );
      assert.equal(train.status, 0, train.stderr);
      const r = runGan(
        [
          'selftrain',
          '--ckpt',
          'plain',
          '--out-dir',
          out,
          '--labels',
          '20',
          '--per-class',
          '5',
          '--repeats',
          '1',
          '--epochs',
          '1',
          '--recipes',
          'gan-augment,cas,real',
          '--json',
          join(work, 'plain.json'),
        ],
        { cwd: work },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^skipped gan-augment: the generator is unconditional/m);
      assert.match(r.stdout, /^skipped cas: the generator is unconditional/m);
      const j = JSON.parse(readFileSync(join(work, 'plain.json'), 'utf8'));
      assert.deepEqual(
        j.summary.map((s: { recipe: string }) => s.recipe),
        ['real'],
      );
      assert.equal(j.generator.with_labels, false);
      const bad = runGan(['selftrain', '--ckpt', 'plain', '--out-dir', out, '--labels', '25'], { cwd: work });
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /^gan: --labels 25: expected a multiple of the 10 classes/);
    },
  );
});
