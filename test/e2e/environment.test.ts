// The machine, not the input: a read-only file system is exit 4 with "read-only file system",
// never ENOENT; the caches (converted image folders under data/cache, the evaluation
// classifier) are optional, so a read-only place for them costs a warning, not the run; and
// native engine libraries (Dawn) keep their own stderr lines to themselves unless --verbose or
// GAN_VERBOSE=1 asks for them. Read-only file systems are real mounts in a private mount
// namespace; the tests that need one are skipped with the reason where the machine permits none.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { GAN_BIN, ROOT, runGan, type CliResult } from '../helpers.ts';
import { ganWithReadOnly, readOnlyNamespaceUnavailable } from '../helpers/read-only.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { TINY_CONFIG } from '../helpers/tiny-config.ts';

function workspace(config = TINY_CONFIG): string {
  const dir = tempDir('gan-env-');
  writeFileSync(join(dir, 'tiny.yaml'), config);
  return dir;
}

/** `gan ...args` with its stderr written to a file, as `gan ... 2> file` does. */
function ganStderrToFile(args: string[], env: Record<string, string> = {}): CliResult {
  const file = join(tempDir('gan-env-stderr-'), 'stderr.txt');
  const fd = openSync(file, 'w');
  try {
    const r = spawnSync(process.execPath, [GAN_BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', fd],
      encoding: 'utf8',
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: readFileSync(file, 'utf8') };
  } finally {
    closeSync(fd);
  }
}

/** stderr's lines, empty ones aside. */
const stderrLines = (r: CliResult) => r.stderr.split('\n').filter((l) => l.trim() !== '');

/** Lines that are neither our one-line errors nor our warnings: what a native library printed. */
const nativeLines = (r: CliResult) => stderrLines(r).filter((l) => !/^(gan|warning): /.test(l));

describe('a read-only file system', () => {
  // Skipped only where the kernel permits no private mount namespace (neither `unshare -m` nor
  // `unshare -rm`, as in some containers): the skip names what refused. CI's machine permits one.
  const unavailable = readOnlyNamespaceUnavailable();

  test('a read-only working directory: gan train warns once that data/cache is not written, and trains', async (t) => {
    if (unavailable) return t.skip(unavailable);
    const work = workspace();
    const out = tempDir('gan-env-out-');
    const images = join(work, 'images');
    mkdirSync(images);
    for (let i = 0; i < 8; i++) {
      const rgb = Buffer.alloc(32 * 32 * 3, 0);
      rgb.fill(255, 0, (i + 1) * 32 * 3);
      writeFileSync(
        join(images, `i${i}.png`),
        await sharp(rgb, { raw: { width: 32, height: 32, channels: 3 } })
          .png()
          .toBuffer(),
      );
    }
    const r = ganWithReadOnly(
      [work],
      [
        'train',
        '--config',
        'tiny.yaml',
        ...[
          'data.source=folder',
          'data.dir=images',
          'data.limit=0',
          'train.batch_size=4',
          `run.out_dir=${out}`,
        ].flatMap((s) => ['--set', s]),
      ],
      { cwd: work },
    );
    assert.equal(r.status, 0, r.stderr);
    const lines = stderrLines(r);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(
      lines[0]!,
      /^warning: data\/cache\/folder-[0-9a-f]+: cannot cache the converted images: read-only file system \(EROFS\); going on without the cache$/,
    );
    assert.ok(existsSync(join(out, 'tiny', 'latest.json')), 'the run was written to its out_dir');
    assert.ok(!existsSync(join(work, 'data')), 'nothing written in the working directory');
  });

  test('data.source auto in a read-only working directory: the bundled digits, with one warning', (t) => {
    if (unavailable) return t.skip(unavailable);
    const work = workspace();
    const out = tempDir('gan-env-out-');
    const r = ganWithReadOnly(
      [work],
      ['train', '--config', 'tiny.yaml', '--set', 'data.source=auto', '--set', `run.out_dir=${out}`],
      { cwd: work, env: { GAN_DATA_MIRRORS: 'http://127.0.0.1:9/' } },
    );
    assert.equal(r.status, 0, r.stderr);
    const lines = stderrLines(r);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(
      lines[0]!,
      /^warning: cannot store MNIST in data\/mnist: read-only file system \(EROFS\); using 64 of the [\d,]+ bundled/,
    );
    assert.ok(existsSync(join(out, 'tiny', 'latest.json')), 'the run was written to its out_dir');
  });

  test('run.out_dir on a read-only file system: exit 4, one line saying so and what to do', (t) => {
    if (unavailable) return t.skip(unavailable);
    const work = workspace();
    const ro = tempDir('gan-env-ro-');
    for (const outDir of [ro, join(ro, 'runs', 'deeper')]) {
      const r = ganWithReadOnly([ro], ['train', '--config', 'tiny.yaml', '--set', `run.out_dir=${outDir}`], {
        cwd: work,
      });
      assert.equal(r.status, 4, r.stderr);
      const lines = stderrLines(r);
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(
        lines[0]!,
        /^gan: \/.+: cannot mkdir: read-only file system \(EROFS\); .*(remount|writable)/,
        'what failed, where, and what to do',
      );
      assert.doesNotMatch(lines[0]!, /ENOENT|free some space/);
    }
  });

  test('a read-only out-dir for gan eval: the classifier is not cached, with a warning, and eval goes on', (t) => {
    if (unavailable) return t.skip(unavailable);
    const work = workspace();
    const trained = runGan(['train', '--config', 'tiny.yaml'], { cwd: work });
    assert.equal(trained.status, 0, trained.stderr);
    const out = tempDir('gan-env-json-');
    const checkpoints = join(work, 'checkpoints');
    const json = join(out, 'eval.json');
    const r = ganWithReadOnly(
      [checkpoints],
      ['eval', '--ckpt', 'tiny', '-n', '16', '--classifier-epochs', '1', '--json', json],
      { cwd: work },
    );
    assert.equal(r.status, 0, r.stderr);
    // (A classifier of one epoch on 64 digits is also warned about: it is a poor one.)
    const lines = stderrLines(r);
    assert.ok(
      lines.every((l) => l.startsWith('warning: ')),
      lines.join('\n'),
    );
    const warnings = lines.filter((l) => /cannot cache/.test(l));
    assert.equal(warnings.length, 1, lines.join('\n'));
    assert.match(
      warnings[0]!,
      /^warning: checkpoints\/classifiers\/mnist-[0-9a-f]+: cannot cache the evaluation classifier: read-only file system \(EROFS\); it is trained again next time$/,
    );
    assert.ok(existsSync(json), 'the numbers were written');
    assert.ok(!existsSync(join(checkpoints, 'classifiers')));
  });
});

describe('native engine output', () => {
  /** No EGL driver for Dawn: libglvnd finds no vendor library. */
  const NO_EGL = { __EGL_VENDOR_LIBRARY_FILENAMES: '/nonexistent/egl-vendor.json', GAN_WEBGPU_BACKENDS: 'opengles' };

  /** What Dawn itself prints on stderr when it looks for an adapter without a driver ('' when nothing). */
  function dawnOwnOutput(): string {
    const script =
      "const { create } = await import('webgpu');" +
      "const gpu = create(['backend=opengles']);" +
      "await gpu.requestAdapter({ featureLevel: 'compatibility' }).catch(() => null);" +
      'process.exit(0);';
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, ...NO_EGL, EGL_PLATFORM: 'surfaceless' },
      encoding: 'utf8',
    });
    return r.status === 0 ? r.stderr.trim() : '';
  }
  const dawnSays = dawnOwnOutput();
  const needsDawnOutput = (t: { skip(msg: string): void }) => {
    if (dawnSays) return true;
    t.skip('Dawn (npm webgpu) prints nothing of its own on this machine');
    return false;
  };

  test('gan doctor prints no native line, whatever Dawn finds', () => {
    for (const env of [{}, NO_EGL]) {
      const r = runGan(['doctor'], { env });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(nativeLines(r), [], JSON.stringify(env));
    }
  });

  test('the webgpu engine starting on an adapter prints no native line on a terminal, pipe or file', () => {
    // Node's spawn gives a child sockets for stdio, which cannot be reopened by name, so what Dawn
    // prints while it starts in-process can be held back only on the others: here, a file.
    const r = ganStderrToFile(['doctor', '--backend', 'webgpu']);
    assert.deepEqual(nativeLines(r), [], r.stderr);
  });

  test("gan doctor --verbose and GAN_VERBOSE=1 show Dawn's own lines", (t) => {
    if (!needsDawnOutput(t)) return;
    for (const [args, env] of [
      [['doctor', '--verbose'], NO_EGL],
      [['doctor'], { ...NO_EGL, GAN_VERBOSE: '1' }],
    ] as const) {
      const r = runGan([...args], { env });
      assert.equal(r.status, 0, r.stderr);
      assert.notDeepEqual(nativeLines(r), [], `gan ${args.join(' ')}: Dawn's lines shown`);
    }
  });

  test('gan train --backend webgpu without a driver: only our one line; --verbose adds what Dawn said', (t) => {
    const work = workspace();
    const args = ['train', '--config', 'tiny.yaml', '--backend', 'webgpu'];
    const r = runGan(args, { cwd: work, env: NO_EGL });
    assert.equal(r.status, 2, r.stderr);
    const lines = stderrLines(r);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^gan: --backend webgpu: engine unavailable \(webgpu engine: /);
    assert.doesNotMatch(r.stderr, /^\s+at /m);

    if (!needsDawnOutput(t)) return;
    const verbose = runGan([...args, '--verbose'], { cwd: work, env: NO_EGL });
    assert.equal(verbose.status, 2, verbose.stderr);
    assert.notDeepEqual(nativeLines(verbose), [], "Dawn's lines shown");
    assert.match(stderrLines(verbose).at(-1)!, /^gan: --backend webgpu: engine unavailable/);
  });
});
