// Where commands may write: never into a checkpoint or among a run's own files, however the
// path is spelled; a run's samples/ and everything outside runs stay writable. (The refusals of
// each command, with checkpoints/ hashed before and after, are in bad-input/commands.ts.)
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { refuseOutputInsideRun } from '../../src/checkpoint/output-path.ts';
import { runGan } from '../helpers.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { TINY_CONFIG } from '../helpers/tiny-config.ts';

let work: string;
let run: string;

before(() => {
  work = tempDir('gan-out-');
  writeFileSync(join(work, 'tiny.yaml'), TINY_CONFIG);
  const r = runGan(['train', '--config', 'tiny.yaml'], { cwd: work });
  assert.equal(r.status, 0, r.stderr);
  run = join(work, 'checkpoints', 'tiny');
});

const refused = (path: string, what: RegExp) =>
  assert.throws(
    () => refuseOutputInsideRun('--out', path),
    (err: Error) => what.test(err.message),
    path,
  );

test("export --out into a checkpoint is refused and leaves its generator's bytes as they were", () => {
  const generator = join(run, 'epoch-0001', 'generator');
  const before = readFileSync(join(generator, 'weights.bin'));
  const r = runGan(['export', '--ckpt', 'tiny', '--out', 'checkpoints/tiny/epoch-0001/generator'], { cwd: work });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /lies inside checkpoint checkpoints\/tiny\/epoch-0001; choose another --out/);
  assert.deepEqual(readFileSync(join(generator, 'weights.bin')), before);
  assert.ok(!existsSync(join(generator, 'index.html')), 'nothing of the export written there');
});

test("a run's samples/ and directories outside runs take output", () => {
  const sample = runGan(['sample', '--ckpt', 'tiny', '--n', '4', '--out', 'checkpoints/tiny/samples/mine.png'], {
    cwd: work,
  });
  assert.equal(sample.status, 0, sample.stderr);
  assert.ok(existsSync(join(run, 'samples', 'mine.png')));
  const exported = runGan(['export', '--ckpt', 'tiny', '--out', 'web'], { cwd: work });
  assert.equal(exported.status, 0, exported.stderr);
  assert.ok(existsSync(join(work, 'web', 'model.json')));
  refuseOutputInsideRun('--out', join(work, 'checkpoints', 'elsewhere.png'));
  refuseOutputInsideRun('--out', join(run, 'samples', 'new', 'deeper', 'x.png'));
});

test('a path into a checkpoint is refused however it is spelled', () => {
  const checkpoint = /lies inside checkpoint .*checkpoints\/tiny\/epoch-0001;/;
  refused(join(run, 'epoch-0001', 'generator', 'model.json'), checkpoint);
  refused(join(run, 'epoch-0001', 'not-yet', 'x.png'), checkpoint);
  refused(join(work, 'checkpoints', 'other', '..', 'tiny', 'epoch-0001', 'x.png'), checkpoint);
  // Through a symbolic link, and `..` after one: the link's target decides, as for the kernel.
  symlinkSync(join(run, 'epoch-0001', 'generator'), join(work, 'into-generator'));
  refused(join(work, 'into-generator', 'weights.bin'), checkpoint);
  refused(`${join(work, 'into-generator')}/../x.png`, checkpoint);
  // A checkpoint that training will write later is refused by its name.
  refused(join(run, 'epoch-0009-it00050', 'x.png'), /lies inside checkpoint .*checkpoints\/tiny\/epoch-0009-it00050;/);
  // A checkpoint copied out of its run is still one.
  cpSync(join(run, 'epoch-0001'), join(work, 'kept'), { recursive: true });
  refused(join(work, 'kept', 'generator'), /lies inside checkpoint .*kept;/);
});

test("a run's own files, and a run that is training its first epoch, are refused", () => {
  const inRun = /lies inside run directory .*checkpoints\/tiny \(only its samples\/ takes other output\)/;
  for (const name of ['config.yaml', 'metrics.jsonl', 'latest.json', 'best.json', '.lock', 'report.html']) {
    refused(join(run, name), inRun);
  }
  refused(run, inRun);
  // Before its first checkpoint a run has config.yaml and the trainer's .lock, no latest.json.
  const young = join(work, 'checkpoints', 'young');
  mkdirSync(young, { recursive: true });
  writeFileSync(join(young, 'config.yaml'), TINY_CONFIG);
  writeFileSync(join(young, '.lock'), '{}');
  refused(join(young, 'metrics.jsonl'), /lies inside run directory .*checkpoints\/young /);
});
