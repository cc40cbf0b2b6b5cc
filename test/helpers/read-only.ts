// Read-only file systems for tests, made for real with mounts. `inReadOnlyNamespace` runs one
// command in a private mount namespace in which some directories are bind-mounted read-only
// (unshare -m as root, else a user namespace: unshare -rm), so nothing outside that process sees
// the mounts. `readOnlyDir` makes a directory that stays read-only until the test process exits:
// an empty tmpfs mounted read-only (root), or a directory without write permission (others). Both
// say why not when the machine permits neither.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliResult } from '../helpers.ts';
import { GAN_BIN } from '../helpers.ts';

/**
 * Bind-mounts each directory before `--` read-only onto itself, then runs the rest. The `cd`
 * matters: a working directory entered before the mount would still be the writable one.
 */
const MOUNT_READ_ONLY =
  'set -e; while [ "$1" != -- ]; do mount --bind "$1" "$1"; mount -o remount,ro,bind "$1" "$1"; shift; done; ' +
  'shift; cd "$PWD"; exec "$@"';

let namespaceCommand: string[] | undefined;
let namespaceUnavailable: string | undefined;

function spawnInNamespace(unshare: string[], dirs: string[], argv: string[], cwd?: string, env?: NodeJS.ProcessEnv) {
  return spawnSync('unshare', [...unshare, 'sh', '-c', MOUNT_READ_ONLY, 'sh', ...dirs, '--', ...argv], {
    cwd,
    env: env ?? process.env,
    encoding: 'utf8',
    timeout: 300_000,
  });
}

/** The unshare flags that work here, or undefined with `namespaceUnavailable` saying why. */
function workingUnshare(): string[] | undefined {
  if (namespaceCommand || namespaceUnavailable) return namespaceCommand;
  const probe = mkdtempSync(join(tmpdir(), 'gan-ro-probe-'));
  const reasons: string[] = [];
  try {
    for (const flags of process.getuid?.() === 0 ? [['-m'], ['-r', '-m']] : [['-r', '-m']]) {
      const r = spawnInNamespace(flags, [probe], ['sh', '-c', `: > "${probe}/x"`]);
      if (r.error) reasons.push(`unshare: ${r.error.message}`);
      else if (r.status !== 0 && /read-only file system/i.test(r.stderr)) {
        namespaceCommand = flags;
        return flags;
      } else reasons.push(`unshare ${flags.join(' ')}: ${(r.stderr || `exit ${r.status}`).trim().split('\n')[0]}`);
    }
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
  namespaceUnavailable = `this machine permits no read-only mount (${reasons.join('; ')})`;
  return undefined;
}

/** Why `inReadOnlyNamespace` cannot run here, or undefined when it can. */
export function readOnlyNamespaceUnavailable(): string | undefined {
  workingUnshare();
  return namespaceUnavailable;
}

/** `gan ...args` with `readOnly` directories mounted read-only for it alone. */
export function ganWithReadOnly(
  readOnly: string[],
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): CliResult {
  const flags = workingUnshare();
  if (!flags) throw new Error(namespaceUnavailable);
  const r = spawnInNamespace(flags, readOnly, [process.execPath, GAN_BIN, ...args], opts.cwd, {
    ...process.env,
    ...opts.env,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Makes `dir` (absent) a directory nothing can be written to until this process exits, holding
 * what `fill` puts in it first. Returns how writes fail there: 'EROFS' (a read-only tmpfs, as
 * root) or 'EACCES' (no write permission, as another user). Throws when neither works.
 */
export function readOnlyDir(dir: string, fill: (dir: string) => void = () => {}): 'EROFS' | 'EACCES' {
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() !== 0) {
    fill(dir);
    chmodSync(dir, 0o555);
    process.on('exit', () => {
      chmodSync(dir, 0o755);
      rmSync(dir, { recursive: true, force: true });
    });
    return 'EACCES';
  }
  const mount = (args: string[]) => spawnSync('mount', args, { encoding: 'utf8' });
  const made = mount(['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir]);
  if (made.error || made.status !== 0) {
    throw new Error(`cannot mount a tmpfs on ${dir}: ${made.error?.message ?? made.stderr.trim()}`);
  }
  process.on('exit', () => {
    spawnSync('umount', [dir]);
    rmdirSync(dir);
  });
  fill(dir);
  const ro = mount(['-o', 'remount,ro', dir]);
  if (ro.status !== 0) throw new Error(`cannot remount ${dir} read-only: ${ro.stderr.trim()}`);
  try {
    writeFileSync(join(dir, '.probe'), '');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EROFS') return 'EROFS';
    throw err;
  }
  throw new Error(`${dir}: still writable after remount,ro`);
}
