// `gan selftrain`: the pure pieces (class-balanced subsets, pseudo-label thresholding, mean ±
// std) and one small end-to-end run through the real CLI on a conditional smoke checkpoint.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { balancedSubset, holdOut, without } from '../../src/data/subsets.ts';
import { selectConfident } from '../../src/selftrain/core.ts';
import { meanStd } from '../../src/stats.ts';
import { parseRecipes } from '../../src/commands/selftrain.ts';
import { ROOT, runGan } from '../helpers.ts';
import { tempDir } from '../helpers/temp-dir.ts';

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
  assert.deepEqual(parseRecipes(undefined), [
    'real',
    'real-augment',
    'ssgan-net',
    'pseudo-label',
    'gan-augment',
    'cas',
    'ssgan',
    'ssgan+pseudo-label',
  ]);
  assert.deepEqual(parseRecipes('cas,real'), ['real', 'cas']);
  assert.throws(() => parseRecipes('real,mixup'), /unknown recipe mixup/);
});

describe('gan selftrain end to end', () => {
  const work = tempDir('gan-selftrain-');
  const out = join(work, 'runs');
  after(() => rmSync(work, { recursive: true, force: true }));
  const gan = (args: string[]) => runGan(args, { cwd: work });

  test('a conditional generator: every LeNet recipe on the same labels, a fixed budget, the table and JSON', () => {
    cpSync(join(ROOT, 'configs'), join(work, 'configs'), { recursive: true });
    const smoke = ['--config', 'smoke.yaml', '--epochs', '1', '--set', `run.out_dir=${out}`];
    assert.equal(gan(['train', ...smoke, '--set', 'model.conditional=true']).status, 0);
    const r = gan([
      'selftrain',
      '--ckpt',
      'smoke',
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
      '0.15',
      '--recipes',
      'real,real-augment,pseudo-label,gan-augment,cas',
      '--config',
      'smoke.yaml',
      '--json',
      join(work, 'c.json'),
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^labelled: 20 training images \(2 per class\) per repeat; unlabelled: the other 236 /m);
    assert.match(r.stdout, /^no validation set: every recipe has a fixed budget and nothing is chosen$/m);
    assert.match(r.stdout, /^generator: .*epoch-0001 \(conditional: it has seen the labels of every training image/m);
    assert.match(r.stdout, /pseudo-label round 1\/1: kept \d+ of 236 unlabelled images at confidence ≥ 0\.15$/m);
    assert.match(r.stdout, /^recipe\s+test accuracy\s+updates\s+trained on$/m);
    assert.match(r.stdout, /^real\s+[\d.]+% ± 0\.00\s+1\s+20 labelled$/m);
    assert.match(r.stdout, /^real-augment\s+[\d.]+% ± 0\.00\s+1\s+20 labelled$/m);
    assert.match(r.stdout, /^gan-augment\s+[\d.]+% ± 0\.00\s+\d+\s+20 labelled \+ 100 generated$/m);
    assert.match(r.stdout, /^pseudo-label\s+[\d.]+% ± 0\.00\s+\d+\s+20 labelled \+ \d+ pseudo-labelled$/m);
    assert.match(r.stdout, /^cas\s+[\d.]+% ± 0\.00\s+\d+\s+100 generated$/m);
    const j = JSON.parse(readFileSync(join(work, 'c.json'), 'utf8'));
    assert.deepEqual(
      j.summary.map((x: { recipe: string }) => x.recipe),
      ['real', 'real-augment', 'pseudo-label', 'gan-augment', 'cas'],
    );
    assert.equal(j.test_count, 2000);
    assert.equal(j.settings.labels, 20);
    for (const run of j.runs) assert.ok(run.testAccuracy >= 0 && run.testAccuracy <= 1);
    const pseudo = j.runs.find((x: { recipe: string }) => x.recipe === 'pseudo-label');
    assert.equal(pseudo.rounds.length, 2);
    assert.equal(pseudo.selectedRound, undefined, 'nothing chosen without a validation set');
  });

  test('semi-supervised runs: each repeat uses its run’s labels; ssgan, ssgan+pseudo-label, ssgan-net', () => {
    const config = `data: { source: bundled, limit: 256 }
model: { arch: ssgan, g_widths: [32, 32], d_widths: [64, 32] }
train: { epochs: 2, batch_size: 32, lr_g: 0.003, lr_d: 0.003 }
ssgan: { labels: 20, d_ema: 0.9, labelled_shift: 2 }
sample: { grid: 4 }
run: { out_dir: runs }
`;
    writeFileSync(join(work, 'ss.yaml'), config);
    for (const seed of [1, 2]) {
      const r = gan(['train', '--config', 'ss.yaml', '--set', `run.seed=${seed}`, '--set', `run.name=ss${seed}`]);
      assert.equal(r.status, 0, r.stderr);
    }
    const r = gan([
      'selftrain',
      '--ssgan-runs',
      'ss1,ss2',
      '--out-dir',
      'runs',
      '--epochs',
      '1',
      '--validation-per-class',
      '2',
      '--recipes',
      'real,ssgan-net,pseudo-label,ssgan,ssgan+pseudo-label,cas',
      '--json',
      'ss.json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /per repeat, those of each semi-supervised run \(ss1, ss2\)/);
    assert.match(
      r.stdout,
      /^validation: 20 more labelled training images \(2 per class\) choose the pseudo-label round/m,
    );
    assert.match(r.stdout, /^skipped cas: needs a conditional generator: --ckpt RUN$/m);
    assert.match(
      r.stdout,
      /^ssgan\s+[\d.]+% ± [\d.]+\s+0\s+20 labelled \+ every unlabelled training image, through the GAN$/m,
    );
    assert.match(r.stdout, /^ssgan-net\s+[\d.]+% ± [\d.]+\s+16\s+20 labelled$/m);
    assert.match(r.stdout, /^pseudo-label .*\(round chosen on validation: [01], [01]\)$/m);
    const j = JSON.parse(readFileSync(join(work, 'ss.json'), 'utf8'));
    assert.equal(j.runs.filter((x: { recipe: string }) => x.recipe === 'ssgan').length, 2, 'one repeat per run');
    // The ssgan rows are the runs' own classifiers on the test split: what gan classify reports.
    const classified = gan(['classify', '--ckpt', 'ss1', '--out-dir', 'runs', '--out', 'c1.json']);
    const c1 = JSON.parse(readFileSync(join(work, 'c1.json'), 'utf8'));
    const first = j.runs.find((x: { recipe: string; repeat: number }) => x.recipe === 'ssgan' && x.repeat === 1);
    assert.equal(classified.status, 0);
    assert.equal(first.testAccuracy, c1.accuracy);
  });

  test('bad input: labels that are not a multiple of the classes, a validation set over 10 per class', () => {
    const bad = gan(['selftrain', '--config', 'smoke.yaml', '--labels', '25', '--out-dir', out]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^gan: --labels 25: expected a positive multiple of the 10 classes/);
    const big = gan(['selftrain', '--config', 'smoke.yaml', '--labels', '20', '--validation-per-class', '11']);
    assert.equal(big.status, 2);
    assert.match(
      big.stderr,
      /^gan: --validation-per-class 11: at most 10 \(a larger labelled validation set is a hidden label budget\)$/m,
    );
  });
});
