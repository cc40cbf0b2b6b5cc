// Errors the user can act on. The CLI prints their message as one line and exits with
// `exitCode`; anything else is a bug and is reported with its stack.
//   2 bad input · 3 training diverged · 4 the machine refused (disk full, no permission)

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** System error codes that mean "the machine, not the input": what each means in words. */
const ENVIRONMENT_PROBLEMS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
};

/** A file operation the machine refused. Exit code 4. */
export class EnvironmentError extends UserError {
  constructor(
    message: string,
    /** The file or directory the failed operation was on. */
    readonly path: string,
    /** What went wrong, in words, with the system's code, e.g. "no space left on device (ENOSPC)". */
    readonly problem: string,
  ) {
    super(message, 4);
  }
}

/** The problem in words when `err` is an environment failure (a system error or an EnvironmentError). */
export function environmentProblem(err: unknown): { problem: string; path: string | undefined } | undefined {
  if (err instanceof EnvironmentError) return { problem: err.problem, path: err.path };
  const e = err as NodeJS.ErrnoException | undefined;
  const words = typeof e?.code === 'string' ? ENVIRONMENT_PROBLEMS[e.code] : undefined;
  return words ? { problem: `${words} (${e!.code})`, path: e!.path } : undefined;
}
