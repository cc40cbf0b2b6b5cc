// Puts verified dataset files into a directory. Each missing file is fetched from the mirrors in
// order: streamed into `<name>.part-<pid>` next to its final place while being hashed, checked
// against the expected digest, fsynced and renamed into place — so a file under its final name
// is always complete and verified. Any failure of a mirror (refused, HTTP error, stall,
// checksum mismatch) deletes the temp file and moves on to the next mirror.
import cliProgress from 'cli-progress';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError, fileError, UserError } from '../errors.js';
import type { FileHash, HashAlgorithm, HashTable } from './catalog.js';
import { httpGet, HttpStatusError, StallTimeoutError } from './http.js';

export const DEFAULT_TIMEOUT_MS = 30_000;
export const MIRRORS_ENV = 'GAN_DATA_MIRRORS';

/** Every mirror failed for a file. Callers that have an offline fallback catch this one. */
export class DownloadError extends UserError {}

export interface DownloadOptions {
  /** Where the files live (created if missing). */
  dir: string;
  /** Expected digests by file name; every requested name must be in it. */
  hashes: HashTable;
  /** Base URLs tried in order; a file's URL is base + name. */
  mirrors: readonly string[];
  /** Inactivity timeout per request (connect, headers, each body chunk). */
  timeoutMs?: number;
  /** One line per event worth telling the user (file fetched, mirror failed). */
  log?: (line: string) => void;
  /** Byte progress; undefined = a bar when stderr is a terminal; null = none. */
  progress?: TransferProgress | null;
}

export interface EnsureResult {
  /** Names fetched by this call. */
  downloaded: string[];
  /** Names that were already present and verified. */
  cached: string[];
}

/** A problem with the local disk: no point trying another mirror. */
class LocalWriteError extends UserError {}

/** A download that cannot be written here: an EnvironmentError when the machine refused (read-only, full). */
function localWriteError(err: unknown, path: string): UserError {
  const e = fileError(err, { path, verb: 'write' });
  return e instanceof EnvironmentError ? e : new LocalWriteError(e?.message ?? `${path}: cannot write (${err})`);
}

/** Not the mirror's fault: no other mirror would do better. */
const writeFailed = (err: unknown) => err instanceof LocalWriteError || err instanceof EnvironmentError;

/** Base URLs from GAN_DATA_MIRRORS (comma-separated), or undefined when unset or empty. */
export function mirrorsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const raw = env[MIRRORS_ENV];
  if (raw === undefined) return undefined;
  const mirrors = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const m of mirrors) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(m).protocol);
    } catch {
      ok = false;
    }
    if (!ok)
      throw new UserError(
        `${MIRRORS_ENV}: "${m}" is not an http(s) base URL (expected e.g. ` + `https://host/path/,https://other/)`,
      );
  }
  return mirrors.length > 0 ? mirrors : undefined;
}

/** The URL of `name` under a mirror base, whether or not the base ends with a slash. */
export function mirrorUrl(base: string, name: string): string {
  return base.endsWith('/') ? base + name : `${base}/${name}`;
}

/** Hex digest of a file, streamed. */
export async function hashFile(path: string, algorithm: HashAlgorithm): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Makes sure every file in `names` is in `opts.dir` and matches its expected digest. Files
 * already there are verified and never re-fetched or overwritten; a present file with the wrong
 * digest is an error (it is not ours to delete). Missing files are downloaded; when every mirror
 * fails for one, a DownloadError lists each mirror's failure.
 */
export async function ensureFiles(names: readonly string[], opts: DownloadOptions): Promise<EnsureResult> {
  const result: EnsureResult = { downloaded: [], cached: [] };
  for (const name of names) {
    const expected = opts.hashes[name];
    if (!expected) throw new Error(`ensureFiles: no expected hash for ${name}`);
    const path = join(opts.dir, name);
    if (await isFile(path)) {
      await verifyExisting(path, expected);
      result.cached.push(name);
    } else {
      await downloadFile(name, expected, opts);
      result.downloaded.push(name);
    }
  }
  return result;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new UserError(`${path}: cannot access (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

async function verifyExisting(path: string, expected: FileHash): Promise<void> {
  const actual = await hashFile(path, expected.algorithm);
  if (actual !== expected.hex) {
    throw new UserError(
      `${path}: ${expected.algorithm} is ${actual}, not the published ${expected.hex}; the file is damaged or a ` +
        `different version — delete it to download it again, or use data.source: idx to read the directory as it is`,
    );
  }
}

/** Fetches one file from the first mirror that delivers the expected bytes. */
async function downloadFile(name: string, expected: FileHash, opts: DownloadOptions): Promise<void> {
  const log = opts.log ?? (() => {});
  const progress = opts.progress === undefined ? terminalProgress() : (opts.progress ?? undefined);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const finalPath = join(opts.dir, name);
  const tempPath = join(opts.dir, `${name}.part-${process.pid}`);
  if (opts.mirrors.length === 0)
    throw new DownloadError(`${finalPath}: missing, and no download mirrors are ` + `configured`);
  try {
    await mkdir(opts.dir, { recursive: true });
  } catch (err) {
    throw fileError(err, { path: opts.dir, verb: 'create the directory' }) ?? err;
  }

  const failures: string[] = [];
  for (const [i, base] of opts.mirrors.entries()) {
    const url = mirrorUrl(base, name);
    const started = Date.now();
    try {
      const { bytes, finalUrl } = await fetchToFile(url, tempPath, expected, timeoutMs, progress, name);
      await rename(tempPath, finalPath);
      await syncDir(opts.dir);
      if (!progress)
        log(
          `downloaded ${name} (${bytes.toLocaleString('en-US')} bytes, ${expected.algorithm} ` +
            `verified) from ${finalUrl} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
      return;
    } catch (err) {
      await rm(tempPath, { force: true });
      if (writeFailed(err)) throw err;
      const reason = describeFailure(err);
      failures.push(`${base} → ${reason}`);
      const next = i + 1 < opts.mirrors.length ? '; trying the next mirror' : '';
      log(`${name}: ${url} failed: ${reason}${next}`);
    }
  }
  throw new DownloadError(
    `${finalPath}: could not download from any mirror (${failures.join('; ')}). Check the internet connection, ` +
      `point ${MIRRORS_ENV} at other mirrors, or put the file there yourself`,
  );
}

/**
 * Streams `url` into `tempPath`, hashing on the way; once verified, returns the byte count and the URL
 * after redirects.
 */
async function fetchToFile(
  url: string,
  tempPath: string,
  expected: FileHash,
  timeoutMs: number,
  progress: TransferProgress | undefined,
  name: string,
): Promise<{ bytes: number; finalUrl: string }> {
  // The temp file is opened first: if the disk refuses, no response is left unread.
  const file = await openForWrite(tempPath);
  const hash = createHash(expected.algorithm);
  let bytes = 0;
  let begun = false;
  try {
    const download = await httpGet(url, timeoutMs);
    progress?.begin(name, download.length);
    begun = true;
    try {
      for await (const chunk of download.body) {
        hash.update(chunk);
        await writeAll(file, chunk, tempPath);
        bytes += chunk.length;
        progress?.advance(chunk.length);
      }
    } catch (err) {
      if (writeFailed(err) || err instanceof StallTimeoutError) throw err;
      // Node reports a dropped connection as a bare "aborted"; say how far it got.
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(`connection lost after ${bytes} of ${download.length ?? '?'} bytes${code ? ` (${code})` : ''}`);
    }
    if (download.length !== undefined && bytes !== download.length) {
      throw new Error(`connection lost after ${bytes} of ${download.length} bytes`);
    }
    const actual = hash.digest('hex');
    if (actual !== expected.hex) {
      throw new Error(`${expected.algorithm} mismatch (got ${actual}, expected ${expected.hex})`);
    }
    await file.sync();
    return { bytes, finalUrl: download.url };
  } finally {
    if (begun) progress?.end();
    await file.close();
  }
}

async function openForWrite(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'w');
  } catch (err) {
    throw localWriteError(err, path);
  }
}

async function writeAll(file: FileHandle, chunk: Buffer, path: string): Promise<void> {
  try {
    await file.write(chunk);
  } catch (err) {
    throw localWriteError(err, path);
  }
}

/** Persists the rename itself; not every platform can fsync a directory, which is harmless. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort only.
  }
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
};

/** A short reason for one mirror's failure, for the log and the final error. */
function describeFailure(err: unknown): string {
  if (err instanceof HttpStatusError || err instanceof StallTimeoutError) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e.code && NETWORK_CODES[e.code]) return `${NETWORK_CODES[e.code]} (${e.code})`;
  if (e.code) return `${e.message} (${e.code})`;
  return e instanceof Error ? e.message : String(err);
}

// Byte-count progress: a cli-progress bar per file when the stream is a terminal. Elsewhere
// (logs, CI, tests) there is no bar and the downloader logs one plain line per file.
/** What the downloader reports while one file transfers. */
export interface TransferProgress {
  /** A transfer starts; `totalBytes` is undefined when the server sent no Content-Length. */
  begin(file: string, totalBytes: number | undefined): void;
  advance(bytes: number): void;
  /** The transfer ended, successfully or not. */
  end(): void;
}

const MB = 1024 * 1024;
const mb = (bytes: number) => (bytes / MB).toFixed(1);

/** A progress bar on `stream` if it is a TTY; undefined otherwise. */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): TransferProgress | undefined {
  if (!stream.isTTY) return undefined;
  let bar: cliProgress.SingleBar | undefined;
  let received = 0;
  let total: number | undefined;
  return {
    begin(file, totalBytes) {
      received = 0;
      total = totalBytes;
      // Without a Content-Length a bar would lie, so only the byte count is shown.
      const format = total === undefined ? '{file} {done} MB' : '{file} [{bar}] {percentage}% {done}/{size} MB';
      bar = new cliProgress.SingleBar(
        { stream, format, hideCursor: true, barsize: 30 },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total ?? 0, 0, { file, done: mb(0), size: mb(total ?? 0) });
    },
    advance(bytes) {
      received += bytes;
      bar?.update(total === undefined ? 0 : received, { done: mb(received) });
    },
    end() {
      bar?.stop();
      bar = undefined;
    },
  };
}
