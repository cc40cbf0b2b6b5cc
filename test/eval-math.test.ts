// The evaluation maths against known answers: closed forms for Gaussians, numpy/scipy's FID on
// fixed feature sets (test/fixtures/fid-scipy.json, made once by scripts/fid-reference.py), and
// the classifier score / coverage on hand-made probability tables.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Matrix } from 'ml-matrix';
import { frechetDistance, gaussianStats, sqrtPsd, type GaussianStats } from '../src/eval/frechet.ts';
import { accuracy, predictedClasses } from '../src/lenet/features.ts';
import { classCoverage, classifierScore } from '../src/eval/scores.ts';
import { kernelDistance, type KidResult } from '../src/eval/kid.ts';
import type { EvalResult } from '../src/eval/evaluator.ts';
import { evalMetrics, evalSummaryLine, formatEvalTable } from '../src/eval/presentation.ts';
import { precisionRecall } from '../src/eval/manifold.ts';
import { smallestSufficientN } from '../src/eval/evaluator.ts';
import { MIN_EVAL_N, MIN_PER_SET, PRECISION_RECALL_K } from '../src/eval/sample-size.ts';
import { classHistogram } from '../src/eval/scores.ts';
import { labelsInProportion } from '../src/sampling.ts';
import { mulberry32 } from '../src/random.ts';
import { selectEngine } from '../src/engine/select.ts';

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);

/** A Gaussian's statistics given directly (count is irrelevant to the distance). */
const stats = (mean: number[], cov: number[][]): GaussianStats => ({
  count: 0,
  mean: Float64Array.from(mean),
  cov: new Matrix(cov),
});
const diag = (values: number[]) => values.map((v, i) => values.map((_, j) => (i === j ? v : 0)));

/** Random orthogonal matrix (Q of a QR of a seeded Gaussian matrix). */
function randomRotation(dim: number, seed: number): Matrix {
  const rand = mulberry32(seed);
  const m = Matrix.from1DArray(
    dim,
    dim,
    Array.from({ length: dim * dim }, () => rand() - 0.5),
  );
  // Gram–Schmidt on the columns.
  const q = new Matrix(dim, dim);
  for (let j = 0; j < dim; j++) {
    const v = m.getColumn(j);
    for (let k = 0; k < j; k++) {
      const qk = q.getColumn(k);
      const dot = v.reduce((s, x, i) => s + x * qk[i]!, 0);
      for (let i = 0; i < dim; i++) v[i]! -= dot * qk[i]!;
    }
    const norm = Math.hypot(...v);
    q.setColumn(
      j,
      v.map((x) => x / norm),
    );
  }
  return q;
}

test('identical feature sets have distance 0 (up to rounding)', () => {
  const rand = mulberry32(3);
  const dim = 20;
  const n = 300;
  const features = Float64Array.from({ length: n * dim }, () => rand() * 4 - 1);
  const s = gaussianStats(features, n, dim);
  const fid = frechetDistance(s, gaussianStats(features, n, dim));
  assert.ok(fid >= 0 && fid < 1e-9 * s.cov.trace(), `FID of a set with itself: ${fid} (trace ${s.cov.trace()})`);
});

test('diagonal covariances: ‖μ₁−μ₂‖² + Σ(√a−√b)²', () => {
  const a = [4, 1, 0.25, 9, 2];
  const b = [1, 1, 1, 16, 0.5];
  const m1 = [0, 1, 2, 3, 4];
  const m2 = [1, 1, 0, 3, 2];
  const expected =
    m1.reduce((s, x, i) => s + (x - m2[i]!) ** 2, 0) +
    a.reduce((s, x, i) => s + (Math.sqrt(x) - Math.sqrt(b[i]!)) ** 2, 0);
  close(frechetDistance(stats(m1, diag(a)), stats(m2, diag(b))), expected, 1e-12, 'diagonal');
});

test('full covariances sharing eigenvectors (rotated diagonals) keep the closed form', () => {
  const dim = 6;
  const q = randomRotation(dim, 11);
  const a = [3, 2, 1, 0.5, 0.1, 5];
  const b = [1, 4, 1, 0.2, 0.3, 2];
  const rotate = (d: number[]) =>
    q
      .mmul(new Matrix(diag(d)))
      .mmul(q.transpose())
      .to2DArray();
  const zeros = new Array<number>(dim).fill(0);
  const expected = a.reduce((s, x, i) => s + (Math.sqrt(x) - Math.sqrt(b[i]!)) ** 2, 0);
  close(frechetDistance(stats(zeros, rotate(a)), stats(zeros, rotate(b))), expected, 1e-10, 'rotated');
});

test('non-commuting covariances: Σ₂ = c²Σ₁ gives Tr(Σ₁)(1−c)², and the distance is symmetric', () => {
  const q = randomRotation(4, 5);
  const s1 = q.mmul(new Matrix(diag([2, 1, 0.5, 3]))).mmul(q.transpose());
  const c = 1.7;
  const zeros = [0, 0, 0, 0];
  close(
    frechetDistance(
      stats(zeros, s1.to2DArray()),
      stats(
        zeros,
        s1
          .clone()
          .mul(c * c)
          .to2DArray(),
      ),
    ),
    s1.trace() * (1 - c) ** 2,
    1e-10,
    'scaled',
  );
  // A genuinely non-commuting pair: the distance must not depend on the order.
  const s2 = new Matrix([
    [2, 0.9, 0, 0],
    [0.9, 1, 0.2, 0],
    [0, 0.2, 1.5, 0.4],
    [0, 0, 0.4, 0.7],
  ]);
  const x = stats([1, 0, 0, 2], s1.to2DArray());
  const y = stats([0, 1, 0, 2], s2.to2DArray());
  close(frechetDistance(x, y), frechetDistance(y, x), 1e-12, 'symmetry');
});

test('sqrtPsd squares back, also for a singular (rank-deficient) matrix', () => {
  const v = new Matrix([
    [1, 2, 0],
    [0, 1, 1],
  ]);
  const psd = v.transpose().mmul(v); // rank 2 of 3
  const root = sqrtPsd(psd);
  const back = root.mmul(root);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) close(back.get(i, j), psd.get(i, j), 1e-12, `(${i},${j})`);
});

test('gaussianStats: mean and unbiased covariance of a hand example', () => {
  // Points (1,2), (3,2), (2,5): mean (2,3); cov = [[1, 0], [0, 3]] (divides by n − 1 = 2).
  const s = gaussianStats([1, 2, 3, 2, 2, 5], 3, 2);
  assert.deepEqual([...s.mean], [2, 3]);
  assert.deepEqual(s.cov.to2DArray(), [
    [1, 0],
    [0, 3],
  ]);
  assert.throws(() => gaussianStats([1, 2], 1, 2), /at least 2 samples/);
});

interface FixtureCase {
  name: string;
  n1: number;
  n2: number;
  dim: number;
  a: number[];
  b: number[];
  fid: number;
}

test('matches numpy/scipy (scipy.linalg.sqrtm) on fixed feature sets', () => {
  const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'fid-scipy.json'), 'utf8')) as {
    cases: FixtureCase[];
  };
  assert.equal(fixture.cases.length, 3);
  for (const c of fixture.cases) {
    const ours = frechetDistance(gaussianStats(c.a, c.n1, c.dim), gaussianStats(c.b, c.n2, c.dim));
    close(ours, c.fid, 1e-9, c.name);
  }
});

test('classifier score: k for confident, even predictions; 1 for identical rows; a hand-made table', () => {
  const k = 4;
  const oneHot = Float64Array.from({ length: 8 * k }, (_, i) => (i % k === Math.floor(i / k) % k ? 1 : 0));
  close(classifierScore({ probs: oneHot, count: 8, classes: k }), k, 1e-12, 'one-hot, even');
  const same = Float64Array.from({ length: 5 * 3 }, (_, i) => [0.2, 0.3, 0.5][i % 3]!);
  close(classifierScore({ probs: same, count: 5, classes: 3 }), 1, 1e-12, 'identical rows');
  // Rows [1, 0] and [0.5, 0.5]: p(y) = [0.75, 0.25];
  // KL₁ = log(1/0.75), KL₂ = 0.5·log(0.5/0.75) + 0.5·log(0.5/0.25).
  const expected = Math.exp((Math.log(4 / 3) + 0.5 * Math.log(2 / 3) + 0.5 * Math.log(2)) / 2);
  close(
    classifierScore({ probs: Float64Array.from([1, 0, 0.5, 0.5]), count: 2, classes: 2 }),
    expected,
    1e-12,
    'hand-made',
  );
  // Confident but collapsed onto one class scores 1, not k.
  const collapsed = Float64Array.from({ length: 6 * k }, (_, i) => (i % k === 2 ? 1 : 0));
  close(classifierScore({ probs: collapsed, count: 6, classes: k }), 1, 1e-12, 'collapsed');
});

test('predicted classes, coverage and accuracy on hand-made tables', () => {
  const probs = Float64Array.from([0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.4, 0.4, 0.2, 0.9, 0.05, 0.05]);
  const predicted = predictedClasses({ probs, count: 4, classes: 3 });
  assert.deepEqual([...predicted], [0, 1, 0, 0], 'argmax; the lower class wins a tie');
  const coverage = classCoverage(predicted, 3);
  assert.deepEqual(coverage.histogram, [3, 1, 0]);
  close(coverage.maxDeviation, 3 / 4 - 1 / 3, 1e-12, 'max deviation');
  assert.deepEqual(coverage.missing, [2]);
  assert.equal(classCoverage([0, 1, 2, 0, 1, 2], 3).maxDeviation, 0);
  assert.equal(accuracy(predicted, [0, 1, 2, 2]), 0.5);
  assert.throws(() => classCoverage([3], 3), /outside 0..2/);
});

/** `count` points in `dim` dimensions around the centres of the given classes (10 apart), σ = 1. */
function blobs(
  count: number,
  dim: number,
  classes: number[],
  seed: number,
  shift = 0,
): { features: Float64Array; count: number } {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const features = new Float64Array(count * dim);
  for (let i = 0; i < count; i++) {
    const c = classes[i % classes.length]!;
    for (let j = 0; j < dim; j++) features[i * dim + j] = gauss() + (j === c ? 10 : 0) + shift;
  }
  return { features, count };
}

const ALL = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

test('KID: ~0 for two samples of one distribution, large for disjoint ones; std over subsets', async () => {
  await selectEngine('cpu');
  const real = blobs(600, 16, ALL, 1);
  const same = await kernelDistance(real, blobs(600, 16, ALL, 2), 16, 7, 10, 300);
  const far = await kernelDistance(real, blobs(600, 16, ALL, 3, 5), 16, 7, 10, 300);
  assert.equal(same.subsets, 10);
  assert.equal(same.subsetSize, 300);
  assert.ok(Math.abs(same.mean) < 0.01 * far.mean, `same ${same.mean} vs disjoint ${far.mean}`);
  assert.ok(same.std! > 0 && far.mean > 10 * far.std!);
  const identical = await kernelDistance(real, real, 16, 7, 10, 300);
  assert.ok(Math.abs(identical.mean) < 0.01 * far.mean);
});

/** Gaussian features that all share `offset` (as ReLU features share a large positive mean); `shift` on dimension 0. */
function offsetFeatures(count: number, dim: number, seed: number, offset: number, shift = 0) {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const features = Float64Array.from({ length: count * dim }, (_, i) => gauss() + offset + (i % dim === 0 ? shift : 0));
  return { features, count };
}

/** The unbiased MMD² with k(x, y) = (x·y/d + 1)³ of two whole sets, in float64: KID's reference. */
function mmd2Reference(x: Float64Array, y: Float64Array, m: number, d: number): number {
  const k = (a: Float64Array, i: number, b: Float64Array, j: number) => {
    let dot = 0;
    for (let t = 0; t < d; t++) dot += a[i * d + t]! * b[j * d + t]!;
    return (dot / d + 1) ** 3;
  };
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (i !== j) {
        xx += k(x, i, x, j);
        yy += k(y, i, y, j);
      }
      xy += k(x, i, y, j);
    }
  }
  return (xx + yy) / (m * (m - 1)) - (2 * xy) / (m * m);
}

test('KID is summed in float64: features sharing a large offset match a float64 reference on wasm', async () => {
  await selectEngine('wasm');
  const dim = 16;
  const m = 1000;
  const tensorsBefore = tf.memory().numTensors;
  for (const offset of [0, 10, 30]) {
    const real = offsetFeatures(m, dim, 1, offset);
    const fake = offsetFeatures(m, dim, 2, offset, 0.5);
    // One subset of all m rows per side: the set the reference sums over.
    const kid = await kernelDistance(real, fake, dim, 7, 1, m);
    close(kid.mean, mmd2Reference(real.features, fake.features, m, dim), 1e-3, `KID at offset ${offset}`);
  }
  assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensors left');
});

test('KID says which side its subsets resample; with both sets whole there is one subset and no spread', async () => {
  await selectEngine('cpu');
  const real = blobs(600, 16, ALL, 1);
  const both = await kernelDistance(real, blobs(600, 16, ALL, 2), 16, 7, 10, 300);
  assert.deepEqual([both.resampled, both.subsets], ['both', 10]);
  // 200 generated images under a subset size of 300: every subset holds all of them.
  const realOnly = await kernelDistance(real, blobs(200, 16, ALL, 2), 16, 7, 10, 300);
  assert.deepEqual([realOnly.resampled, realOnly.subsets, realOnly.subsetSize], ['real', 10, 200]);
  assert.ok(realOnly.std! > 0, 'the real side still varies');
  const none = await kernelDistance(blobs(200, 16, ALL, 1), blobs(200, 16, ALL, 2), 16, 7, 10, 300);
  assert.deepEqual([none.resampled, none.subsets, none.subsetSize, none.std], ['none', 1, 200, null]);
  const once = await kernelDistance(blobs(200, 16, ALL, 1), blobs(200, 16, ALL, 2), 16, 7, 1, 300);
  assert.equal(none.mean, once.mean, 'the one subset is the whole of both sets');
});

test('precision/recall: 1/1 for identical sets, 0/0 for disjoint; a dropped class lowers recall only', async () => {
  await selectEngine('wasm');
  const real = blobs(1000, 16, ALL, 1);
  const identical = await precisionRecall(real, real, 16, 3);
  assert.deepEqual([identical.precision, identical.recall], [1, 1]);
  const disjoint = await precisionRecall(real, blobs(1000, 16, ALL, 2, 50), 16, 3);
  assert.deepEqual([disjoint.precision, disjoint.recall], [0, 0]);
  // A second sample of the same distribution is not all inside a k-NN manifold: the reference
  // for what a faithful generator scores.
  const same = await precisionRecall(real, blobs(1000, 16, ALL, 2), 16, 3);
  const nineClasses = await precisionRecall(real, blobs(1000, 16, ALL.slice(0, 9), 4), 16, 3);
  assert.ok(
    Math.abs(nineClasses.precision - same.precision) < 0.05,
    `precision ${nineClasses.precision} vs ${same.precision}`,
  );
  const recallRatio = nineClasses.recall / same.recall;
  assert.ok(recallRatio > 0.85 && recallRatio < 0.93, `recall ${nineClasses.recall} vs ${same.recall}`);
  assert.equal(nineClasses.k, 3);
  assert.equal(nineClasses.samples, 1000);
});

test('MIN_EVAL_N is what precision/recall needs: it runs on MIN_EVAL_N samples and refuses one fewer', async () => {
  await selectEngine('cpu');
  assert.equal(MIN_EVAL_N, PRECISION_RECALL_K + 1);
  const set = blobs(MIN_EVAL_N, 16, ALL, 1);
  const pr = await precisionRecall(set, blobs(MIN_EVAL_N, 16, ALL, 2), 16, 3);
  assert.equal(pr.samples, MIN_EVAL_N);
  assert.equal(pr.k, PRECISION_RECALL_K, 'precisionRecall defaults to the k the minimum is derived from');
  await assert.rejects(precisionRecall(set, blobs(MIN_EVAL_N - 1, 16, ALL, 2), 16, 3), RangeError);
});

test('smallestSufficientN: from it on every class is asked for at least 2 images, one below it not', () => {
  const perClass = (n: number, counts: number[]) => classHistogram(labelsInProportion(n, counts), counts.length);
  // The bundled digits' training counts, an even split, and a skewed one.
  for (const counts of [
    [800, 900, 796, 813, 779, 700, 788, 829, 795, 800],
    [5, 5, 5],
    [1000, 30, 10],
  ]) {
    const n = smallestSufficientN(counts)!;
    assert.ok(n >= MIN_EVAL_N);
    for (let m = n; m <= n + 3000; m++)
      assert.ok(Math.min(...perClass(m, counts)) >= MIN_PER_SET, `${counts}: n ${m} (from ${n})`);
    if (n > MIN_EVAL_N) assert.ok(Math.min(...perClass(n - 1, counts)) < MIN_PER_SET, `${counts}: ${n - 1} suffices`);
  }
  assert.equal(smallestSufficientN([10, 0, 10]), undefined, 'a class without training images never gets any');
  assert.equal(smallestSufficientN([1_000_000, 1]), undefined, 'beyond the largest n allowed');
});

/** A result as the evaluator returns one, for the formatting tests: `predicted` decides the coverage. */
function evalResult(predicted: number[], kid: Partial<KidResult> = {}): EvalResult {
  const kidResult: KidResult = { mean: 0.0123, std: 0.0011, subsets: 50, subsetSize: 1000, resampled: 'both', ...kid };
  return {
    n: predicted.length,
    seed: 0,
    truncation: null,
    fid: 12.5,
    fidFloor: 2.5,
    kid: kidResult,
    kidFloor: { mean: 0.0002, std: 0.0004, subsets: 50, subsetSize: 1000, resampled: 'both' },
    precisionRecall: { precision: 0.5, recall: 0.4, samples: 1000, k: 3 },
    precisionRecallFloor: { precision: 0.8, recall: 0.78, samples: 1000, k: 3 },
    perClassFid: null,
    classifierScore: 8,
    realScore: 9.5,
    maxScore: 10,
    coverage: classCoverage(predicted, 10),
    conditionalAccuracy: null,
    requestedClasses: null,
    seconds: 1,
  };
}

test('the training log line says what the class coverage number means, and gives real-vs-real references', () => {
  const collapsed = evalSummaryLine(evalResult(new Array(50).fill(3)));
  assert.doesNotMatch(collapsed, /±/, 'a maximum deviation is not a ±');
  assert.match(collapsed, /class shares within 90\.0 pts of even \(10\.0%\); 9 classes never drawn$/);
  const even = evalSummaryLine(evalResult(Array.from({ length: 50 }, (_, i) => i % 10)));
  assert.match(even, /class shares within 0\.0 pts of even \(10\.0%\)$/);
  assert.match(even, /KID 0\.0123 \(real 0\.0002\) {2}P\/R 50\.0%\/40\.0% \(real 80\.0%\/78\.0%\)/);
});

test('the eval table gives KID and precision/recall their real-vs-real values and says what the ± spans', () => {
  const even = Array.from({ length: 1000 }, (_, i) => i % 10);
  const row = (lines: string[], name: string) => lines.find((l) => l.startsWith(name))!;
  const result = evalResult(even);
  const real = { kid: result.kidFloor, precisionRecall: result.precisionRecallFloor };
  const reference = { reference: { testCount: 2000, score: 9.5, fidFloor: 2.5, floorCount: 1000, ...real } };
  const table = formatEvalTable(result, reference);
  assert.match(row(table, 'KID'), /0\.0123 {2}real vs real 0\.0002; ± 0\.0011 over 50 subsets of 1000 per side$/);
  assert.match(row(table, 'precision'), /50\.0% {2}real vs real 80\.0%; generated images inside the real manifold/);
  assert.match(row(table, 'recall'), /40\.0% {2}real vs real 78\.0%; real images inside the generated manifold/);
  assert.match(row(table, 'class coverage'), /0\.0% {2}largest gap between a class's share and the even 10\.0%/);
  const whole = formatEvalTable(
    evalResult(even, { resampled: 'none', std: null, subsets: 1, subsetSize: 200 }),
    reference,
  );
  assert.match(row(whole, 'KID'), /real vs real 0\.0002; no ±: both sides whole \(200 each\) in one subset$/);
  const metrics = evalMetrics(evalResult(even, { resampled: 'real' }));
  assert.deepEqual(
    [metrics.kid_resampled, metrics.kid_floor, metrics.precision_floor, metrics.recall_floor],
    ['real', 0.0002, 0.8, 0.78],
  );
});
