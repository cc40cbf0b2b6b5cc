// Errors the user can act on. The CLI prints their message as one line and exits with
// `exitCode`; anything else is a bug and is reported with its stack.
//   2 bad input · 3 training diverged · 4 the machine refused (disk full, no permission, read-only)
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** System error codes that mean "the machine, not the input": what each means, and what to do. */
const ENVIRONMENT_PROBLEMS: Record<string, { words: string; remedy: string }> = {
  ENOSPC: { words: 'no space left on device', remedy: 'free some space' },
  EDQUOT: { words: 'disk quota exceeded', remedy: 'free some space or raise the quota' },
  EROFS: { words: 'read-only file system', remedy: 'remount it read-write or choose a writable location' },
  EACCES: { words: 'permission denied', remedy: 'fix the permissions or choose a writable location' },
  EPERM: { words: 'operation not permitted', remedy: 'fix the permissions or choose a writable location' },
  EIO: { words: 'input/output error', remedy: 'check the disk' },
  EMFILE: { words: 'too many open files', remedy: 'raise the open-file limit (ulimit -n)' },
  ENFILE: { words: 'too many open files', remedy: 'raise the open-file limit (ulimit -n)' },
};

/** A file operation the machine refused. Exit code 4. */
export class EnvironmentError extends UserError {
  constructor(
    message: string,
    /** The file or directory the failed operation was on. */
    readonly path: string,
    /** What went wrong, in words, with the system's code, e.g. "no space left on device (ENOSPC)". */
    readonly problem: string,
    /** What the user can do about it, e.g. "free some space". */
    readonly remedy = 'free some space or fix the permissions',
  ) {
    super(message, 4);
  }
}

export interface EnvironmentProblem {
  problem: string;
  path: string | undefined;
  remedy: string;
}

/**
 * Why a recursive mkdir of `path` failed with ENOENT when it did not fail for a missing parent:
 * Node's `mkdir -p` reports ENOENT when a parent it had to create was refused (a read-only file
 * system, no permission). The nearest existing directory says which.
 */
function refusedMkdir(path: string): string | undefined {
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    accessSync(dir, constants.W_OK);
    return undefined; // writable: the ENOENT was something else (e.g. removed meanwhile)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code;
  }
}

/** The problem in words when `err` is an environment failure (a system error or an EnvironmentError). */
export function environmentProblem(err: unknown): EnvironmentProblem | undefined {
  if (err instanceof EnvironmentError) return { problem: err.problem, path: err.path, remedy: err.remedy };
  const e = err as NodeJS.ErrnoException | undefined;
  if (typeof e?.code !== 'string') return undefined;
  const code = e.code === 'ENOENT' && e.syscall === 'mkdir' && e.path ? (refusedMkdir(e.path) ?? e.code) : e.code;
  const known = ENVIRONMENT_PROBLEMS[code];
  return known ? { problem: `${known.words} (${code})`, path: e.path, remedy: known.remedy } : undefined;
}

/** The first existing component of `path` (itself included) that is not a directory. */
export function fileInTheWay(path: string): string | undefined {
  const chain: string[] = [];
  for (let p = path; ; p = dirname(p)) {
    chain.unshift(p);
    if (dirname(p) === p || dirname(p) === '.') break;
  }
  for (const p of chain) {
    try {
      if (!statSync(p).isDirectory()) return p;
    } catch {
      return undefined; // missing from here on
    }
  }
  return undefined;
}

/**
 * A failed file operation as the one line the user sees: an EnvironmentError (exit 4) when the
 * machine refused it, a UserError (exit 2) when something in the way is the user's to move, and
 * undefined when `err` is no system error. `as` names the operation the user asked for when it
 * differs from the system call's (a temporary file written for `path`, say).
 */
export function fileError(
  err: unknown,
  as: { path: string; verb: string } | undefined = undefined,
): UserError | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  if (typeof e?.code !== 'string' || (typeof e.path !== 'string' && !as)) return undefined;
  const path = as?.path ?? e.path!;
  const verb = as?.verb ?? e.syscall ?? 'access';
  const env = environmentProblem(e);
  if (env) {
    // Files are written under temporary names and renamed into place: nothing was half-written.
    return new EnvironmentError(
      `${path}: cannot ${verb}: ${env.problem}; files already there are intact — ${env.remedy}, then run the ` +
        'command again',
      path,
      env.problem,
      env.remedy,
    );
  }
  if (e.code === 'ENOTDIR' || (e.code === 'EEXIST' && e.syscall === 'mkdir')) {
    const file = fileInTheWay(e.path ?? path);
    if (file) {
      const wanted = file === path ? '' : ` (for ${path})`;
      return new UserError(`${file}: a file where a directory is needed${wanted}; move it or choose another path`);
    }
  }
  if (e.code === 'EISDIR') {
    return new UserError(`${path}: a directory where a file is needed; name a file to ${verb}`);
  }
  return new UserError(`${path}: cannot ${verb} (${e.code})`);
}
