// One writer per run directory. `gan train` holds <run>/.lock (its PID and host) while it
// writes; a second writer is refused at once, and a lock whose process is gone (killed before
// it could remove it) is taken over with a warning. Commands that only read a run (sample,
// eval, report, ...) never look at it.
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';

export const LOCK_FILE = '.lock';

interface Holder {
  pid: number;
  host: string;
  since: string;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // removed meanwhile
  }
}

function parseHolder(text: string): Holder | undefined {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? ({ since: '?', ...h } as Holder) : undefined;
  } catch {
    return undefined; // torn by a crash while it was written
  }
}

/** A process on this host that still exists; on another host we cannot tell, so we assume it runs. */
function isRunning(holder: Holder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** gan writes its lock as a plain file: anything else there was put by hand, and is not taken over. */
function refuseNonFile(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return; // removed meanwhile: the next attempt creates it
  }
  if (st.isFile()) return;
  const what = st.isDirectory() ? 'a directory' : st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
  const remove = st.isDirectory() ? `rm -r ${path}` : `rm ${path}`;
  throw new UserError(
    `${path}: ${what}, not a lock file gan wrote; if no gan train is running on this run, remove it (${remove}) ` +
      'and train again',
  );
}

export class RunLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(
    private readonly path: string,
    /** The run directory when this lock created it: removed again if nothing else was put there. */
    private readonly createdDir: string | undefined,
  ) {
    process.on('exit', this.onExit);
  }

  /** Takes the lock of run directory `root` (created if missing), or explains who holds it. */
  static acquire(root: string, warn: (line: string) => void): RunLock {
    const createdDir = existsSync(root) ? undefined : root;
    mkdirSync(root, { recursive: true });
    const path = join(root, LOCK_FILE);
    const mine = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        writeFileSync(path, mine, { flag: 'wx' });
        return new RunLock(path, createdDir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      refuseNonFile(path);
      const seen = readText(path);
      const holder = seen === undefined ? undefined : parseHolder(seen);
      if (holder && isRunning(holder)) {
        throw new UserError(
          `${root}: already being trained by process ${holder.pid} on ${holder.host} (since ${holder.since}); ` +
            `wait for it or stop it, or train another run with --set run.name=NEW (delete ${path} only if that ` +
            'process is surely gone)',
        );
      }
      warn(
        holder
          ? `${root}: taking over the lock of process ${holder.pid}, which is no longer running`
          : `${root}: taking over an unreadable lock file`,
      );
      // Renaming is atomic: of two processes taking over the same stale lock, one moves it away
      // and the other finds the winner's fresh lock on its next attempt. Had the winner already
      // replaced it, what we moved is its live lock: it goes back.
      const moved = `${path}.stale-${process.pid}`;
      try {
        renameSync(path, moved);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        continue;
      }
      if (readText(moved) !== seen) {
        try {
          linkSync(moved, path);
        } catch {
          // a third process holds it now; the next attempt sees its lock
        }
      }
      rmSync(moved, { force: true });
    }
    throw new UserError(`${path}: could not take the run lock; another process keeps taking it`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.onExit);
    rmSync(this.path, { force: true });
    if (this.createdDir && readdirSync(this.createdDir).length === 0) rmdirSync(this.createdDir);
  }
}
