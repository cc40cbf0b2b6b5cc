// The webgpu engine (tfjs-backend-webgpu on Dawn) on whatever adapter this machine has — on CPU-only
// CI Mesa's llvmpipe through Dawn's OpenGL ES backend: the DCGAN and the conditional DCGAN, with
// every objective and penalty, train to the cpu engine's losses and weights, tensors stay flat, an
// iteration issues few kernels and creates no GPU buffer, `gan train` / `gan sample` work
// through the real CLI, checkpoints move between engines, and failures are one line. Skipped with
// the reason printed when no adapter appears (GAN_REQUIRE_WEBGPU=1 makes that a failure).
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { describeEngine, selectEngine, type Engine } from '../../src/engine/select.ts';
import { releaseWebgpu } from '../../src/engine/webgpu.ts';
import { compareStates, dcganConfig, trainOn } from '../../bench/engine-equivalence.ts';
import { benchConfig, buildRig } from '../../bench/harness.ts';
import { countIterations } from '../../bench/webgpu-counts.ts';
import { ROOT, runGan } from '../helpers.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const ITERATIONS = 3;
/** Measured on llvmpipe: losses and weights within 1.2e-7 of the cpu engine's. */
const TOLERANCE = 1e-5;

let engine: Engine | undefined;
let unavailable = '';

function needsEngine(t: TestContext): boolean {
  if (engine) return true;
  t.skip(`webgpu engine unavailable: ${unavailable}`);
  return false;
}

describe('webgpu engine', () => {
  before(async () => {
    try {
      engine = await selectEngine('webgpu');
    } catch (err) {
      if (process.env.GAN_REQUIRE_WEBGPU === '1') throw err;
      unavailable = (err as Error).message;
    }
  });
  after(() => releaseWebgpu());

  it('reports its adapter in the engine line', (t) => {
    if (!needsEngine(t)) return;
    const line = describeEngine(engine!);
    t.diagnostic(line);
    assert.equal(tf.getBackend(), 'webgpu');
    assert.match(line, /^engine: webgpu, .+ via (vulkan|opengles|opengl|metal|d3d12|d3d11)/);
    if (engine!.gpu!.software) assert.match(line, /a software GPU: slow/);
  });

  for (const [name, extra] of [
    ['DCGAN', []],
    ['conditional DCGAN', ['model.conditional=true']],
    ['ACGAN (class logits split after the one pass)', ['model.conditional=true', 'model.conditioning=acgan']],
    ['hinge', ['train.loss=hinge']],
    ['lsgan', ['train.loss=lsgan']],
    ['wgan-gp (with its gradient penalty)', ['train.loss=wgan-gp', 'train.gp_weight=10']],
    ['R1 on every D update', ['train.r1=1', 'train.r1_every=1']],
    ['minibatch std (two D passes)', ['model.minibatch_std=true']],
  ] as const) {
    it(`${name}: ${ITERATIONS} iterations give the cpu engine's losses and every weight`, async (t) => {
      if (!needsEngine(t)) return;
      const config = dcganConfig(8, [...extra]);
      const cpu = await trainOn('cpu', config, ITERATIONS);
      const gpu = await trainOn('webgpu', config, ITERATIONS);
      const { losses: lossDiff, weights: weightDiff } = compareStates(gpu, cpu);
      t.diagnostic(`losses max |Δ| ${lossDiff.toExponential(2)}, weights max |Δ| ${weightDiff.toExponential(2)}`);
      assert.ok(lossDiff < TOLERANCE, `losses differ by ${lossDiff}`);
      assert.ok(weightDiff < TOLERANCE, `weights differ by ${weightDiff}`);
      assert.equal(new Set(gpu.tensors.slice(1)).size, 1, `tensor count flat: ${gpu.tensors.join(', ')}`);
    });
  }

  it('a DCGAN iteration at batch 64: at most 220 kernels and 120 dispatches, no buffer created', async (t) => {
    if (!needsEngine(t)) return;
    // The narrow widths issue the same kernels as the real ones (bench:webgpu), in a fraction of the time.
    const rig = buildRig(benchConfig('dcgan-narrow', 64), engine!.updates);
    const counts = await countIterations(rig, 2, 1);
    rig.dispose();
    const { byName, ...perIteration } = counts;
    t.diagnostic(JSON.stringify(perIteration));
    assert.ok(counts.kernels <= 220, `${counts.kernels} kernels`);
    assert.ok(counts.dispatches <= 120, `${counts.dispatches} dispatches`);
    assert.equal(counts.buffersCreated, 0, 'GPU buffers created per iteration');
    for (const kernel of ['GanBatchNormTrain', 'GanBatchNormTrainGrad', 'GanAdamUpdatePacked', 'GanEmaUpdatePacked'])
      assert.ok(
        byName.some((k) => k.name === kernel),
        `${kernel} runs`,
      );
  });

  it('gan train and gan sample run on webgpu through the CLI, and checkpoints move between engines', (t) => {
    if (!needsEngine(t)) return;
    const work = tempDir('gan-webgpu-');
    cpSync(join(ROOT, 'configs'), join(work, 'configs'), { recursive: true });
    const gan = (args: string[]) => {
      const r = runGan(args, { cwd: work, env: { GAN_DATA_MIRRORS: 'http://127.0.0.1:9/' } });
      assert.equal(r.status, 0, r.stderr);
      return r;
    };
    const trained = gan(['train', '--config', 'smoke.yaml', '--backend', 'webgpu', '--epochs', '1']);
    assert.match(trained.stdout, /^engine: webgpu, /m);
    const wasm = gan([
      'train',
      '--config',
      'smoke.yaml',
      '--set',
      'run.name=ref',
      '--backend',
      'wasm',
      '--epochs',
      '1',
    ]);
    assert.match(wasm.stdout, /^engine: wasm/m);
    const loss = (run: string) =>
      JSON.parse(readFileSync(join(work, 'checkpoints', run, 'metrics.jsonl'), 'utf8').split('\n')[0]!);
    const [a, b] = [loss('smoke'), loss('ref')];
    for (const key of ['d_loss', 'g_loss', 'd_real', 'd_fake']) {
      assert.ok(Math.abs(a[key] - b[key]) < 1e-4, `${key}: webgpu ${a[key]} vs wasm ${b[key]}`);
    }
    // A webgpu checkpoint resumes on wasm, and a wasm one on webgpu.
    gan(['train', '--config', 'smoke.yaml', '--backend', 'wasm', '--resume', '--epochs', '2']);
    gan([
      'train',
      '--config',
      'smoke.yaml',
      '--set',
      'run.name=ref',
      '--backend',
      'webgpu',
      '--resume',
      '--epochs',
      '2',
    ]);
    const sample = gan([
      'sample',
      '--ckpt',
      'ref',
      '--n',
      '16',
      '--seed',
      '1',
      '--backend',
      'webgpu',
      '--out',
      'g.png',
    ]);
    assert.match(sample.stdout, /wrote 16 samples from .*epoch-0002/);
    const png = PNG.sync.read(readFileSync(join(work, 'g.png')));
    assert.ok(new Set(png.data).size > 2, 'a decodable, non-constant grid');
  });

  it('auto never takes a software adapter; --backend webgpu without the package is one line, exit 2', () => {
    const auto = runGan(['doctor']);
    assert.equal(auto.status, 0, auto.stderr);
    assert.doesNotMatch(auto.stdout.split('\n')[0]!, /webgpu, .*software/);
    const hook = join(ROOT, 'test', 'fixtures', 'no-webgpu-hook.mjs');
    const r = runGan(['doctor', '--backend', 'webgpu'], { env: { NODE_OPTIONS: `--import ${hook}` } });
    assert.equal(r.status, 2);
    assert.equal(
      r.stderr.trim(),
      'gan: --backend webgpu: engine unavailable ' +
        '(webgpu engine: npm package `webgpu` not installed (npm install webgpu))',
    );
  });
});
