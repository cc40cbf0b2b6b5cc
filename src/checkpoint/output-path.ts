// Where a command may write what the user asked for. Only `gan train` writes a run directory
// (and `gan report` its report), so an --out, --json or --out-dir that lands inside a
// checkpoint, or among a run's own files, is refused before anything is written: `gan export
// --out RUN/epoch-0002/generator` would otherwise replace that checkpoint's weights, and a
// later --resume would continue from the wrong ones. A run's samples/ takes other output (it
// is where `gan sample` writes by default).
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, parse, relative, sep } from 'node:path';
import { UserError } from '../errors.js';
import { LOCK_FILE } from './lock.js';
import { GENERATOR_DIR, LATEST_JSON, STATE_JSON } from './run-dir.js';

const CHECKPOINT_NAME = /^epoch-\d+(-it\d+)?$/;

/** A checkpoint, in a run or copied out of one: its state and its generator. */
function isCheckpoint(dir: string): boolean {
  return existsSync(join(dir, STATE_JSON)) && existsSync(join(dir, GENERATOR_DIR));
}

/** A run: one with a checkpoint (latest.json), or one that `gan train` is writing now (.lock). */
function isRunDirectory(dir: string): boolean {
  return (
    existsSync(join(dir, LATEST_JSON)) || (existsSync(join(dir, 'config.yaml')) && existsSync(join(dir, LOCK_FILE)))
  );
}

/**
 * The path the operating system will write to: each existing component with its symbolic links
 * followed, and `..` taken after that, as the kernel does (`link/..` is the link target's
 * parent, not the directory holding the link). Components that do not exist yet stay as written.
 */
function physicalPath(path: string): string {
  // Not path.join: it would take `link/..` away before the link is followed.
  const absolute = isAbsolute(path) ? path : `${process.cwd()}${sep}${path}`;
  const { root } = parse(absolute);
  let current = root;
  for (const part of absolute.slice(root.length).split(/[\\/]+/)) {
    if (part === '' || part === '.') continue;
    current = part === '..' ? dirname(current) : followed(join(current, part));
  }
  return current;
}

/** `path` with its symbolic links followed; as written when it does not exist (yet). */
function followed(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** `dir` relative to the working directory when it lies below it, else absolute. */
function shown(dir: string): string {
  const rel = relative(realpathSync(process.cwd()), dir);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? dir : rel.split(sep).join('/');
}

/**
 * Refuses `path` (the value of `option`, as typed) when writing there would change a checkpoint
 * or a run's own files. The nearest enclosing checkpoint or run decides.
 */
export function refuseOutputInsideRun(option: string, path: string): void {
  const target = physicalPath(path);
  for (let dir = target, below: string | undefined; ; below = dir, dir = dirname(dir)) {
    if (isCheckpoint(dir)) {
      throw new UserError(`${option} ${path}: lies inside checkpoint ${shown(dir)}; choose another ${option}`);
    }
    if (isRunDirectory(dir)) {
      const entry = below === undefined ? undefined : basename(below);
      if (entry === 'samples') return;
      const where = entry !== undefined && CHECKPOINT_NAME.test(entry) ? `checkpoint ${shown(join(dir, entry))}` : '';
      throw new UserError(
        where
          ? `${option} ${path}: lies inside ${where}; choose another ${option}`
          : `${option} ${path}: lies inside run directory ${shown(dir)} (only its samples/ takes other output); ` +
              `choose another ${option}`,
      );
    }
    if (dir === dirname(dir)) return;
  }
}
