// The layering rules of docs/design.md, checked on the import statements of every file in src/:
// cli → commands → train / ssgan / eval / selftrain / report / export → lenet → models, data,
// losses, penalties, sampling, checkpoint, image, interpolation → engine. A module imports only
// its own layer or the ones below (and the leaf utilities anyone may use); only cli and
// commands reach the engine, through its public surface; commands do not import each other.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers.ts';

const SRC = join(ROOT, 'src');

/** Leaves: small utilities with no project imports of their own beyond other leaves. */
const LEAVES = [
  'config.ts',
  'errors.ts',
  'log.ts',
  'random.ts',
  'text.ts',
  'stats.ts',
  'fs-atomic.ts',
  'types/',
  'eval/sample-size.ts',
];

const LAYERS: [string, number][] = [
  ['cli.ts', 5],
  ['commands/', 4],
  ['train/', 3],
  ['ssgan/model.ts', 1],
  ['ssgan/weight-norm.ts', 1],
  ['ssgan/', 3],
  ['eval/', 3],
  ['selftrain/', 3],
  ['report/', 3],
  ['export/', 3],
  ['lenet/', 2],
  ['models/', 1],
  ['data/', 1],
  ['losses.ts', 1],
  ['penalties.ts', 1],
  ['sampling.ts', 1],
  ['checkpoint/', 1],
  ['image.ts', 1],
  ['interpolation.ts', 1],
  ['engine/', 0],
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function layerOf(file: string): number | 'leaf' {
  const rel = relative(SRC, file);
  if (LEAVES.some((l) => rel === l || rel.startsWith(l))) return 'leaf';
  const hit = LAYERS.find(([prefix]) => rel === prefix || rel.startsWith(prefix));
  assert.ok(hit, `${rel}: not in any layer of test/layers.test.ts (add it where it belongs)`);
  return hit[1];
}

/** Project files a file imports (static and dynamic imports of relative paths), resolved to .ts. */
function projectImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

const all = files(SRC).map((file) => ({ file, rel: relative(SRC, file), imports: projectImports(file) }));

test('no import runs back up a layer', () => {
  const violations: string[] = [];
  for (const { file, rel, imports } of all) {
    const mine = layerOf(file);
    for (const target of imports) {
      const theirs = layerOf(target);
      if (mine === 'leaf' && theirs !== 'leaf') violations.push(`${rel} (a leaf) imports ${relative(SRC, target)}`);
      if (mine !== 'leaf' && theirs !== 'leaf' && theirs > mine) {
        violations.push(`${rel} (layer ${mine}) imports ${relative(SRC, target)} (layer ${theirs})`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

test('only cli.ts and commands/ import the engine, and only its public surface', () => {
  const violations: string[] = [];
  for (const { rel, imports } of all) {
    if (rel.startsWith('engine/')) continue;
    for (const target of imports.map((t) => relative(SRC, t)).filter((t) => t.startsWith('engine/'))) {
      if (rel !== 'cli.ts' && !rel.startsWith('commands/')) violations.push(`${rel} imports ${target}`);
      else if (target !== 'engine/index.ts') violations.push(`${rel} imports ${target}, not engine/index.ts`);
    }
  }
  assert.deepEqual(violations, []);
});

test('commands do not import each other (only their shared options and setup)', () => {
  const shared = ['commands/options.ts', 'commands/setup.ts'];
  const violations = all
    .filter(({ rel }) => rel.startsWith('commands/'))
    .flatMap(({ rel, imports }) =>
      imports
        .map((t) => relative(SRC, t))
        .filter((t) => t.startsWith('commands/') && !shared.includes(t))
        .map((t) => `${rel} imports ${t}`),
    );
  assert.deepEqual(violations, []);
});

/** Code of a file without its comments (a comment may name a package; code may not). */
const codeOf = (file: string) => readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');

test('the engine is sealed: outside src/engine/ nothing names its packages or registers kernels and gradients', () => {
  // ('webgpu' alone is also an engine's name: as a package it is only ever imported or required.)
  const packages =
    /'(@tensorflow\/tfjs-node(-gpu)?|@tensorflow\/tfjs-backend-(wasm|webgpu))'|(import|require|from)\s*\(?\s*'(webgpu|koffi)'/;
  const registration = /\b(registerKernel|unregisterKernel|registerGradient)\(/;
  const violations = all
    .filter(({ rel }) => !rel.startsWith('engine/'))
    .flatMap(({ file, rel }) => {
      const code = codeOf(file);
      return [
        ...(packages.test(code) ? [`${rel} names an engine package: ${packages.exec(code)![0]}`] : []),
        ...(registration.test(code) ? [`${rel} registers: ${registration.exec(code)![0]}`] : []),
      ];
    });
  assert.deepEqual(violations, []);
});

test('the crash tests’ fault injection is one seam: only checkpoint/fault-injection.ts reads it', () => {
  const readers = all.filter(({ file }) => /GAN_FAULT_/.test(codeOf(file))).map(({ rel }) => rel);
  assert.deepEqual(readers, ['checkpoint/fault-injection.ts']);
});

test('the checker sees imports: it finds the engine behind cli.ts', () => {
  const cli = all.find((f) => f.rel === 'cli.ts')!;
  assert.ok(cli.imports.some((t) => relative(SRC, t) === 'commands/train.ts'));
  const options = all.find((f) => f.rel === 'commands/options.ts')!;
  assert.ok(options.imports.some((t) => relative(SRC, t) === 'engine/index.ts'));
});
