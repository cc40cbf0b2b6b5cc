import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { UserError } from '../src/errors.js';
import { DownloadError, ensureFiles, mirrorsFromEnv, type DownloadOptions } from '../src/data/download.js';
import { encodeIdx } from '../src/data/idx.js';
import {
  closedPortBase,
  hashTable,
  makeImages,
  makeLabels,
  startMirrorServer,
  tempDir,
  type MirrorServer,
} from './helpers/data-fixtures.js';

const FILES: Record<string, Uint8Array> = {
  'train-images-idx3-ubyte.gz': encodeIdx(makeImages(200, 3), { gzip: true }),
  'train-labels-idx1-ubyte.gz': encodeIdx(makeLabels(200), { gzip: true }),
};
const NAMES = Object.keys(FILES);
const HASHES = hashTable(FILES);

async function withServer(t: { after(fn: () => Promise<void>): void }): Promise<MirrorServer> {
  const server = await startMirrorServer(FILES);
  t.after(() => server.close());
  return server;
}

/** Options with a log that records lines and no progress bar. */
function options(
  dir: string,
  mirrors: string[],
  extra: Partial<DownloadOptions> = {},
): DownloadOptions & { lines: string[] } {
  const lines: string[] = [];
  return { dir, hashes: HASHES, mirrors, log: (l) => lines.push(l), progress: null, lines, ...extra };
}

async function assertFinalFiles(dir: string): Promise<void> {
  const entries = (await readdir(dir)).sort();
  assert.deepEqual(entries, [...NAMES].sort(), 'exactly the final files, no .part leftovers');
  for (const name of NAMES) assert.deepEqual(await readFile(join(dir, name)), Buffer.from(FILES[name]!));
}

test('falls over a refused mirror and a corrupt one to the good one; files verified, no .part left', async (t) => {
  const server = await withServer(t);
  const dir = join(await tempDir(t), 'nested', 'mnist'); // created on demand
  const refused = await closedPortBase();
  const opts = options(dir, [refused, server.base('corrupt'), server.base('good')]);
  const result = await ensureFiles(NAMES, opts);
  assert.deepEqual(result, { downloaded: NAMES, cached: [] });
  await assertFinalFiles(dir);
  // Per file: one refused line, one checksum line, one success line.
  assert.equal(opts.lines.length, 6, opts.lines.join('\n'));
  assert.match(
    opts.lines[0]!,
    /train-images-idx3-ubyte\.gz: http:\/\/127\.0\.0\.1:\d+\/train-images.* failed: connection refused \(ECONNREFUSED\); trying the next mirror/,
  );
  assert.match(
    opts.lines[1]!,
    /\/corrupt\/train-images-idx3-ubyte\.gz failed: sha256 mismatch \(got [0-9a-f]{64}, expected [0-9a-f]{64}\); trying/,
  );
  assert.match(
    opts.lines[2]!,
    /^downloaded train-images-idx3-ubyte\.gz \([\d,]+ bytes, sha256 verified\) from .*\/good\//,
  );
  assert.deepEqual(
    server.requests,
    NAMES.flatMap((n) => [`/corrupt/${n}`, `/good/${n}`]),
  );
});

test('all mirrors failing is one DownloadError listing each mirror, and leaves nothing behind', async (t) => {
  const server = await withServer(t);
  const dir = await tempDir(t);
  const refused = await closedPortBase();
  const mirrors = [refused, server.base('corrupt'), server.base('missing'), server.base('short')];
  await assert.rejects(ensureFiles(NAMES, options(dir, mirrors)), (err: unknown) => {
    assert.ok(err instanceof DownloadError && err instanceof UserError);
    const msg = err.message;
    assert.ok(!msg.includes('\n'), 'one line');
    assert.ok(msg.startsWith(join(dir, NAMES[0]!)), `names the file: ${msg}`);
    assert.match(msg, new RegExp(`${refused} → connection refused \\(ECONNREFUSED\\)`));
    assert.match(msg, /\/corrupt\/ → sha256 mismatch/);
    assert.match(msg, /\/missing\/ → HTTP 404 Not Found/);
    assert.match(msg, /\/short\/ → connection lost after \d+ of \d+ bytes/);
    assert.match(msg, /GAN_DATA_MIRRORS/);
    return true;
  });
  assert.deepEqual(await readdir(dir), [], 'no partial or temp files');
});

test('an existing verified file is not downloaded again; a damaged one is reported, not replaced', async (t) => {
  const server = await withServer(t);
  const dir = await tempDir(t);
  await ensureFiles(NAMES, options(dir, [server.base('good')]));
  assert.equal(server.requests.length, 2);

  const again = await ensureFiles(NAMES, options(dir, [server.base('good')]));
  assert.deepEqual(again, { downloaded: [], cached: NAMES });
  assert.equal(server.requests.length, 2, 'no further requests');

  const damaged = join(dir, NAMES[1]!);
  await writeFile(damaged, 'not the real file');
  await assert.rejects(ensureFiles(NAMES, options(dir, [server.base('good')])), (err: unknown) => {
    assert.ok(err instanceof UserError && !(err instanceof DownloadError));
    assert.match(
      err.message,
      new RegExp(`^${damaged}: sha256 is [0-9a-f]{64}, not the published ${HASHES[NAMES[1]!]!.hex}; .*delete it`),
    );
    return true;
  });
  assert.equal(await readFile(damaged, 'utf8'), 'not the real file', 'left untouched');
  assert.equal(server.requests.length, 2);
});

test('hanging and stalling mirrors hit the inactivity timeout and fall over', { timeout: 10_000 }, async (t) => {
  const server = await withServer(t);
  const dir = await tempDir(t);
  const stalls = ['hang', 'silent', 'stall'] as const; // no headers; headers only; half the body
  const opts = options(dir, [...stalls.map((m) => server.base(m)), server.base('redirect')], { timeoutMs: 300 });
  const started = performance.now();
  await ensureFiles(NAMES.slice(0, 1), opts);
  const seconds = (performance.now() - started) / 1000;
  assert.ok(seconds >= 0.85 && seconds < 3, `three 0.3 s timeouts took ${seconds.toFixed(2)} s`);
  stalls.forEach((mode, i) =>
    assert.match(opts.lines[i]!, new RegExp(`/${mode}/.* failed: no response for 0\\.3 s \\(timeout\\)`)),
  );
  assert.match(opts.lines[3]!, /^downloaded .* from http:\/\/127\.0\.0\.1:\d+\/good\//, 'redirect followed');
  assert.deepEqual(await readdir(dir), NAMES.slice(0, 1));
});

test('the timeout is for inactivity: a slow but steady mirror is not cut off', { timeout: 10_000 }, async (t) => {
  const server = await withServer(t);
  const dir = await tempDir(t);
  const opts = options(dir, [server.base('trickle')], { timeoutMs: 300 });
  const started = performance.now();
  await ensureFiles(NAMES.slice(0, 1), opts);
  assert.ok(performance.now() - started > 500, 'the transfer took longer than the timeout');
  assert.match(opts.lines[0]!, /^downloaded .* from .*\/trickle\//);
});

test('GAN_DATA_MIRRORS: comma-separated http(s) base URLs', () => {
  assert.equal(mirrorsFromEnv({}), undefined);
  assert.equal(mirrorsFromEnv({ GAN_DATA_MIRRORS: ' , ' }), undefined);
  assert.deepEqual(mirrorsFromEnv({ GAN_DATA_MIRRORS: 'http://127.0.0.1:9/a/, https://x.example/b' }), [
    'http://127.0.0.1:9/a/',
    'https://x.example/b',
  ]);
  assert.throws(
    () => mirrorsFromEnv({ GAN_DATA_MIRRORS: 'ftp://x/' }),
    /GAN_DATA_MIRRORS: "ftp:\/\/x\/" is not an http\(s\) base URL/,
  );
});
