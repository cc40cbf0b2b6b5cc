// The evaluation classifier's cache (trained once, reused, retrained when the data or recipe
// changes, deterministic) and the evaluator on real bundled digits: deterministic given the
// seed, leaves no tensors behind, and ranks class-template images far above noise.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { TrainingSet } from '../../src/data/batches.ts';
import { loadImageSet, type ImageSet } from '../../src/data/index.ts';
import { selectEngine } from '../../src/engine/select.ts';
import { UserError } from '../../src/errors.ts';
import { defaultRecipe, getClassifier, INFO_JSON, type ClassifierRequest } from '../../src/lenet/cache.ts';
import { createEvaluator, type EvalResult } from '../../src/eval/evaluator.ts';
import { classHistogram } from '../../src/eval/scores.ts';
import { labelsInProportion } from '../../src/sampling.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const quiet = { log: () => {}, warn: () => {} };
const bundled = (limit: number) => ({
  dataset: 'mnist' as const,
  source: 'bundled' as const,
  limit,
  size: 28,
  channels: 1 as const,
});
let work: string;

before(async () => {
  await selectEngine('auto');
  work = tempDir('gan-eval-');
});
after(() => rmSync(work, { recursive: true, force: true }));

/** The first `count` images of a set (a smaller test split keeps the test fast). */
function head(set: ImageSet, count: number): ImageSet {
  const px = set.height * set.width;
  return { ...set, images: set.images.subarray(0, count * px), labels: set.labels.subarray(0, count), count };
}

async function weightsOf(model: tf.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
}

test(
  'the classifier is trained once, then reused; other data or another recipe trains anew; training is ' +
    'deterministic',
  async () => {
    const tensorsBefore = tf.memory().numTensors;
    const testSet = head(await loadImageSet(bundled(0), 'test', quiet), 200);
    const test = new TrainingSet(testSet);
    const recipe = { epochs: 1, batchSize: 32, learningRate: 1e-3, seed: 5 };
    const logs: string[] = [];
    const request = (
      trainSet: ImageSet,
      train: TrainingSet,
      outDir: string,
      over: Partial<ClassifierRequest> = {},
    ): ClassifierRequest => ({
      dataset: 'mnist',
      train,
      trainSet,
      test,
      outDir,
      recipe,
      log: (l) => logs.push(l),
      ...over,
    });
    const set200 = await loadImageSet(bundled(200), 'train', quiet);
    const train200 = new TrainingSet(set200);
    const outDir = join(work, 'cache');

    const first = await getClassifier(request(set200, train200, outDir));
    assert.equal(first.trained, true);
    const infoPath = join(first.dir, INFO_JSON);
    assert.ok(
      existsSync(infoPath) && existsSync(join(first.dir, 'model.json')) && existsSync(join(first.dir, 'weights.bin')),
    );
    assert.match(first.dir, /classifiers[/\\]mnist-[0-9a-f]{16}$/);
    const info = JSON.parse(readFileSync(infoPath, 'utf8'));
    assert.equal(info.trainCount, 200);
    assert.deepEqual(info.recipe, recipe);
    assert.ok(info.testAccuracy > 0 && info.testAccuracy <= 1);
    const mtime = statSync(infoPath).mtimeMs;

    const second = await getClassifier(request(set200, train200, outDir));
    assert.equal(second.trained, false, 'a matching cached classifier is loaded, not trained');
    assert.equal(statSync(infoPath).mtimeMs, mtime, 'info.json untouched');
    assert.deepEqual(second.info, first.info);
    assert.deepEqual(
      await weightsOf(second.model),
      await weightsOf(first.model),
      'the saved weights are the trained ones',
    );

    // Different training bytes (another limit) -> another directory, trained.
    const set150 = await loadImageSet(bundled(150), 'train', quiet);
    const train150 = new TrainingSet(set150);
    const other = await getClassifier(request(set150, train150, outDir));
    assert.equal(other.trained, true);
    assert.notEqual(other.dir, first.dir);

    // Same data in a fresh cache -> bit-identical weights (seeded init, shuffle and dropout).
    const again = await getClassifier(request(set200, train200, join(work, 'cache2')));
    assert.equal(again.trained, true);
    assert.deepEqual(readFileSync(join(again.dir, 'weights.bin')), readFileSync(join(first.dir, 'weights.bin')));

    // Another recipe for the same data retrains in place, and says why.
    const longer = await getClassifier(request(set200, train200, outDir, { recipe: { ...recipe, epochs: 2 } }));
    assert.equal(longer.trained, true);
    assert.equal(longer.dir, first.dir);
    assert.ok(
      logs.some((l) => l.includes('retraining')),
      logs.join('\n'),
    );
    assert.equal(JSON.parse(readFileSync(infoPath, 'utf8')).recipe.epochs, 2);

    // A damaged cached model is retrained, not a dead end.
    writeFileSync(join(first.dir, 'weights.bin'), 'truncated');
    const repaired = await getClassifier(request(set200, train200, outDir, { recipe: { ...recipe, epochs: 2 } }));
    assert.equal(repaired.trained, true);
    assert.ok(
      logs.some((l) => /weights\.bin: 9 bytes.*retraining/.test(l)),
      logs.join('\n'),
    );

    for (const c of [first, second, other, again, longer, repaired]) c.model.dispose();
    for (const s of [test, train200, train150]) s.dispose();
    assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensors leak from training, testing, saving or loading');
  },
);

test('the default recipe is a budget of updates: many epochs on small sets, few on large ones', () => {
  assert.equal(defaultRecipe(8000).epochs, 12, '125 batches of 64 per epoch -> 1,500 updates');
  assert.equal(defaultRecipe(60000).epochs, 4, 'at least 4 epochs');
  assert.equal(defaultRecipe(256).epochs, 20, 'at most 20 epochs');
  assert.deepEqual(defaultRecipe(8000, { epochs: 1 }), { ...defaultRecipe(8000), epochs: 1 }, 'overrides win');
});

/** A generator of pure noise images (an untrained dense layer). */
function noiseGenerator(latentDim: number, size = 28): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [latentDim],
        units: size * size,
        activation: 'tanh',
        kernelInitializer: tf.initializers.randomNormal({ stddev: 1, seed: 3 }),
      }),
      tf.layers.reshape({ targetShape: [size, size, 1] }),
    ],
  });
}

/**
 * A conditional "generator" (inputs z and class, as the conditional DCGAN takes them) that
 * draws the mean real training image of the requested class plus a little z-dependent noise.
 */
function templateGenerator(set: ImageSet, latentDim: number): tf.LayersModel {
  const px = set.height * set.width;
  const means = new Float32Array(10 * px);
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < set.count; i++) {
    counts[set.labels[i]!]! += 1;
    for (let p = 0; p < px; p++) means[set.labels[i]! * px + p]! += set.images[i * px + p]! / 127.5 - 1;
  }
  for (let c = 0; c < 10; c++) for (let p = 0; p < px; p++) means[c * px + p]! /= counts[c]!;
  const z = tf.input({ shape: [latentDim] });
  const label = tf.input({ shape: [10] }); // one-hot, as src/sampling.ts feeds conditional generators
  const initial = tf.tensor2d(means, [10, px]);
  const template = tf.layers.dense({ units: px, useBias: false, weights: [initial] }).apply(label) as tf.SymbolicTensor;
  const jitter = tf.layers
    .dense({ units: px, kernelInitializer: tf.initializers.randomNormal({ stddev: 0.02, seed: 4 }) })
    .apply(z) as tf.SymbolicTensor;
  const image = tf.layers
    .reshape({ targetShape: [set.height, set.width, 1] })
    .apply(tf.layers.add().apply([template, jitter])) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [z, label], outputs: image });
  initial.dispose(); // copied into the layer's variable when it was built
  return model;
}

const withoutTime = (r: EvalResult) => ({ ...r, seconds: 0 });

/** The evaluator's classifier recipe in these tests: one epoch over the 8,000 training digits. */
const EVAL_RECIPE = { epochs: 1 };

test('the evaluator is deterministic, tensor-neutral, and tells class templates from noise', async () => {
  const data = bundled(1000);
  const tensorsAtStart = tf.memory().numTensors;
  const evaluator = await createEvaluator(
    { data, run: { out_dir: join(work, 'eval'), seed: 1 }, eval: { n: 400 } },
    quiet,
    { recipe: EVAL_RECIPE, interactive: false },
  );
  const { info } = evaluator.classifier;
  assert.equal(info.trainCount, 8000, "the classifier learns from the whole training split, not data.limit's 1,000");
  assert.doesNotMatch(info.trainOrigin, /data\.limit/);
  assert.ok(
    info.testAccuracy > 0.8,
    `a classifier from 8,000 real digits should be right on > 80% of the test set, got ${info.testAccuracy}`,
  );
  const ref = evaluator.reference;
  assert.equal(ref.testCount, 2000);
  assert.equal(ref.floorCount, 400);
  assert.ok(ref.score > 5 && ref.score <= 10, `real test score ${ref.score}`);

  const noise = noiseGenerator(16);
  const templates = templateGenerator(await loadImageSet(data, 'train', quiet), 16);
  const tensorsBefore = tf.memory().numTensors;
  const a = await evaluator.evaluate(noise, 7);
  const b = await evaluator.evaluate(noise, 7);
  const c = await evaluator.evaluate(noise, 8);
  const t = await evaluator.evaluate(templates, 7);
  assert.equal(tf.memory().numTensors, tensorsBefore, 'evaluate leaves no tensors behind');

  assert.deepEqual(withoutTime(b), withoutTime(a), 'same generator and seed -> identical numbers');
  assert.notEqual(c.fid, a.fid, 'another seed draws other noise');
  assert.equal(a.conditionalAccuracy, null);
  assert.equal(a.requestedClasses, null);
  assert.equal(a.n, 400);
  // The conditional generator is asked for classes in the proportions of the whole training split.
  const trainLabels = (await loadImageSet(bundled(0), 'train', quiet)).labels;
  const expected = classHistogram(labelsInProportion(400, classHistogram(trainLabels, 10)), 10);
  assert.deepEqual(t.requestedClasses, expected);
  assert.notDeepEqual(expected, new Array(10).fill(40), 'the 8,000 training digits are not balanced');

  assert.ok(t.conditionalAccuracy! > 0.8, `class templates are recognised as their class: ${t.conditionalAccuracy}`);
  assert.ok(t.fid < a.fid / 2, `templates (${t.fid}) are much closer to real digits than noise (${a.fid})`);
  assert.ok(t.fid > ref.fidFloor, `nothing beats real images: ${t.fid} vs floor ${ref.fidFloor}`);
  // KID and precision/recall have their real-vs-real reference too, measured like the FID floor
  // (the same 400 real training images against the test set), and carried in every result.
  assert.equal(ref.kid.subsetSize, 400);
  assert.ok(Math.abs(ref.kid.mean) < 0.1 * t.kid.mean, `real vs real KID ${ref.kid.mean}, templates ${t.kid.mean}`);
  assert.ok(t.kid.mean < a.kid.mean, `KID: templates ${t.kid.mean}, noise ${a.kid.mean}`);
  assert.equal(ref.precisionRecall.samples, 400);
  assert.ok(
    ref.precisionRecall.precision > a.precisionRecall.precision && ref.precisionRecall.recall > 0.5,
    `real vs real P/R ${JSON.stringify(ref.precisionRecall)}, noise ${JSON.stringify(a.precisionRecall)}`,
  );
  assert.deepEqual([t.kidFloor, t.precisionRecallFloor], [ref.kid, ref.precisionRecall]);
  assert.ok(
    t.classifierScore > a.classifierScore + 0.5,
    `score: templates ${t.classifierScore}, noise ${a.classifierScore}`,
  );
  assert.ok(
    t.coverage.maxDeviation < a.coverage.maxDeviation && t.coverage.maxDeviation < 0.1,
    `coverage: templates ${t.coverage.maxDeviation}, noise ${a.coverage.maxDeviation}`,
  );
  assert.equal(t.realScore, ref.score);

  // A generator of the wrong image size is a user error naming both sizes.
  const small = noiseGenerator(16, 14);
  await assert.rejects(
    evaluator.evaluate(small, 1),
    (err: Error) => err instanceof UserError && /14×14.*28×28/.test(err.message),
  );
  for (const m of [noise, templates, small]) m.dispose();
  evaluator.dispose();
  assert.equal(tf.memory().numTensors, tensorsAtStart, 'createEvaluator + dispose leave no tensors behind');
});

test('data.limit changes neither the evaluation classifier nor the real reference: runs compare', async () => {
  const out = join(work, 'eval');
  const make = (limit: number) =>
    createEvaluator({ data: bundled(limit), run: { out_dir: out, seed: 1 }, eval: { n: 400 } }, quiet, {
      recipe: EVAL_RECIPE,
      interactive: false,
    });
  const limited = await make(256);
  const full = await make(0);
  // eval.classifier_epochs, as a run config sets it, is the same recipe: the same classifier.
  const configured = await createEvaluator(
    { data: bundled(0), run: { out_dir: out, seed: 1 }, eval: { n: 400, classifier_epochs: 1 } },
    quiet,
    { interactive: false },
  );
  configured.dispose();
  assert.deepEqual([configured.classifier.trained, configured.classifier.info.recipe.epochs], [false, 1]);
  assert.equal(configured.classifier.dir, full.classifier.dir);
  try {
    assert.equal(full.classifier.trained, false, 'the classifier a limited run got is the full split’s, cached');
    assert.equal(limited.classifier.dir, full.classifier.dir);
    assert.equal(limited.classifier.info.trainCount, 8000);
    assert.deepEqual(limited.reference, full.reference, 'the same floor and ceiling');
  } finally {
    limited.dispose();
    full.dispose();
  }
});
