// Crash-safe file writes: data goes to a temporary name in the same directory, is fsynced, and
// is renamed over the final name, so a reader sees the old file or the new one, never half.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileError } from './errors.js';

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` to `path` and fsyncs it (no rename: for files inside a temp directory). */
export function writeFileDurable(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Atomically replaces `path` with `data` (temp file + fsync + rename + directory fsync). A
 * failure names `path` in a one-line error (an EnvironmentError when the disk is full, read-only
 * or not writable; a UserError when a file or directory is in the way) and leaves no temporary
 * file behind.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileDurable(tmp, data);
    renameSync(tmp, path);
    fsyncPath(dir);
  } catch (err) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // the directory itself is unusable, so no temporary file was made there
    }
    throw fileError(err, { path, verb: 'write' }) ?? err;
  }
}

/**
 * Makes a fully written temporary directory visible under its final name. The caller wrote
 * and fsynced every file inside; this syncs the directory entries and renames it into place.
 */
export function publishDirectory(tmpDir: string, finalDir: string): void {
  fsyncPath(tmpDir);
  rmSync(finalDir, { recursive: true, force: true });
  renameSync(tmpDir, finalDir);
  fsyncPath(dirname(finalDir));
}
