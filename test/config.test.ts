import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig, parseConfig, parseSavedConfig, resolveConfigPath } from '../src/config.ts';
import { tempDir } from './helpers/temp-dir.ts';

const bad = (text: string, sets: string[] = []) => {
  try {
    parseConfig(text, 'run.yaml', sets);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), 'message is one line');
    return err.message;
  }
  assert.fail(`config was accepted: ${text}`);
};

test('an empty config gets every default', () => {
  const c = parseConfig('', 'x.yaml');
  assert.equal(c.model.arch, 'dcgan');
  assert.equal(c.train.batch_size, 64);
  assert.equal(c.data.source, 'auto');
  assert.equal(c.backend, 'auto');
});

test('unknown key names the file, line, key and the known keys', () => {
  const message = bad('train:\n  epochs: 3\n  learning_rate: 0.1\n');
  assert.match(
    message,
    /^run\.yaml:3: train\.learning_rate: unknown key \(known keys in train: epochs, batch_size, lr_g, lr_d, beta1, /,
  );
  // Every train key is listed, in the schema's order, and nothing else.
  const listed = message.replace(/^.*known keys in train: (.*)\)$/, '$1').split(', ');
  assert.deepEqual(listed, Object.keys(parseConfig('', 'x.yaml').train));
  assert.match(bad('trian:\n  epochs: 3\n'), /^run\.yaml:1: trian: unknown key \(known keys in top level: run, data/);
});

test('wrong type and out-of-range values name key, line and value', () => {
  assert.match(bad('train:\n  batch_size: abc\n'), /^run\.yaml:2: train\.batch_size: expected number.*got "abc"$/);
  assert.match(bad('train:\n  epochs: 0\n'), /^run\.yaml:2: train\.epochs: .*>=1, got 0$/);
  assert.match(bad('train:\n  epochs: -3\n'), /train\.epochs: .*got -3$/);
  assert.match(bad('model:\n  arch: resnet\n'), /^run\.yaml:2: model\.arch: .*"dcgan"\|"mlp"\|"ssgan", got "resnet"$/);
  assert.match(bad('train:\n  epochs: 2.5\n'), /train\.epochs: expected int/);
});

test('YAML syntax errors carry the line number', () => {
  assert.match(bad('run:\n  seed: 1\ntrain:\n  epochs: [1, 2\n'), /^run\.yaml:\d+: YAML syntax error: /);
  assert.match(bad('train:\n  epochs: 1\n  batch_size: 2\n lr_g: 0.1\nmodel: [\n'), /^run\.yaml:4: YAML syntax error/);
});

test('--set overrides parse values as YAML and reject unknown keys', () => {
  const c = parseConfig('train:\n  epochs: 3\n', 'x.yaml', [
    'train.epochs=5',
    'model.g_widths=[8, 4]',
    'data.source=bundled',
  ]);
  assert.equal(c.train.epochs, 5);
  assert.deepEqual(c.model.g_widths, [8, 4]);
  assert.equal(c.data.source, 'bundled');
  assert.match(bad('', ['train.epoch=5']), /^--set train\.epoch: unknown key \(known keys in train: epochs/);
  assert.match(bad('', ['nonsense']), /^--set nonsense: expected key\.path=value$/);
  assert.match(bad('', ['train.epochs=many']), /train\.epochs: expected number, .*got "many"/);
});

test('config files resolve as given, in configs/, and with .yaml added', () => {
  const have = new Set(['configs/mnist.yaml', 'my.yaml']);
  const exists = (p: string) => have.has(p);
  assert.equal(resolveConfigPath('mnist.yaml', exists), 'configs/mnist.yaml');
  assert.equal(resolveConfigPath('mnist', exists), 'configs/mnist.yaml');
  assert.equal(resolveConfigPath('my.yaml', exists), 'my.yaml');
  assert.throws(() => resolveConfigPath('nope.yaml', exists), /nope\.yaml: config file not found/);
});

test('loadConfig names a missing file and derives the run name from the file name', () => {
  const dir = tempDir('gan-config-');
  assert.throws(
    () => loadConfig(join(dir, 'missing.yaml')),
    (err: Error) => /missing\.yaml: cannot read config file \(ENOENT\)/.test(err.message),
  );
  writeFileSync(join(dir, 'tiny.yaml'), 'train:\n  epochs: 1\n');
  assert.equal(loadConfig(join(dir, 'tiny.yaml')).runName, 'tiny');
});

test('shipped configs are valid', async () => {
  for (const name of ['mnist', 'smoke', 'fashion', 'mlp', 'wgan-gp', 'hinge', 'lsgan', 'cgan']) {
    assert.doesNotThrow(() => loadConfig(`configs/${name}.yaml`), name);
  }
});

test('the semi-supervised keys older configs kept under train are read as ssgan.*, with one warning', () => {
  const warnings: string[] = [];
  const old = parseConfig(
    'model: { arch: ssgan }\ntrain: { epochs: 3, labels: 20, d_ema: 0.9 }\n',
    'old.yaml',
    ['train.consistency=10'],
    (line) => warnings.push(line),
  );
  assert.equal(old.ssgan.labels, 20);
  assert.equal(old.ssgan.d_ema, 0.9);
  assert.equal(old.ssgan.consistency, 10);
  assert.equal(old.train.epochs, 3);
  assert.deepEqual(warnings, [
    'old.yaml: train.labels, train.d_ema, train.consistency are now ssgan.labels, ssgan.d_ema, ssgan.consistency; ' +
      'read as such (rename to silence this)',
  ]);
  // The new spelling reads the same config and warns about nothing.
  const renamed = parseConfig(
    'model: { arch: ssgan }\ntrain: { epochs: 3 }\nssgan: { labels: 20, d_ema: 0.9 }\n',
    'new.yaml',
    ['ssgan.consistency=10'],
    (line) => warnings.push(line),
  );
  assert.deepEqual(renamed, old);
  assert.equal(warnings.length, 1);
  assert.match(
    bad('model: { arch: ssgan }\ntrain: { labels: 20 }\nssgan: { labels: 30 }\n'),
    /^run\.yaml: train\.labels and ssgan\.labels are both set; keep ssgan\.labels$/,
  );
});

test('a checkpoint saved with the older spelling still parses, without a warning', () => {
  const saved = { model: { arch: 'ssgan' }, train: { epochs: 3, labels: 20 } };
  const parsed = parseSavedConfig(saved);
  assert.ok(parsed.success);
  assert.equal(parsed.data.ssgan.labels, 20);
  assert.ok(!('labels' in parsed.data.train));
});
