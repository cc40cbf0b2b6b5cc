// The machine and the paths around a run: a file where a directory is needed and the other way
// round, a run lock that is not gan's or not ours, a read-only place to write (exit 4: the
// machine refused), and engines that cannot start here. The read-only directory is a real
// read-only mount (as root; a directory without write permission otherwise), outside the
// workspace so that removing the workspace never meets it.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOnlyDir } from '../helpers/read-only.ts';
import type { BadInputCase, BadInputTable } from './case.ts';
import { sets } from './case.ts';

/** Mounted read-only by setup, holding a copy of the run `tiny`. */
const RO = join(tmpdir(), `gan-bad-read-only-${process.pid}`);
/** How the machine refuses a write in RO: a read-only mount, or (not root) no permission. */
const REFUSED = String.raw`(read-only file system \(EROFS\)|permission denied \(EACCES\))`;
const refused = (what: string) => new RegExp(`^gan: ${what}: ${REFUSED}; .*(remount|permissions)`);

const fixture = (name: string) => join(import.meta.dirname, '..', 'fixtures', name);
/** Dawn without a driver: libglvnd finds no EGL vendor library, and Vulkan is not tried. */
const NO_EGL = { __EGL_VENDOR_LIBRARY_FILENAMES: '/nonexistent/egl-vendor.json', GAN_WEBGPU_BACKENDS: 'opengles' };

const train = (...assignments: string[]) => ['train', '--config', 'tiny.yaml', ...sets(...assignments)];

const cases: BadInputCase[] = [
  {
    name: 'run.out_dir is a file',
    args: train('run.out_dir=afile'),
    expect: /^gan: afile: a file where a directory is needed \(for afile\/tiny\); move it or choose another path$/,
  },
  {
    name: 'run.out_dir below a file',
    args: train('run.out_dir=afile/runs'),
    expect: /^gan: afile: a file where a directory is needed \(for afile\/runs\/tiny\); move it or choose another/,
  },
  {
    name: 'the run directory is a file',
    args: train('run.name=filerun'),
    expect: /^gan: checkpoints\/filerun: a file where a directory is needed; move it or choose another path$/,
  },
  {
    name: 'the run lock is a directory',
    args: train('run.name=lockdir'),
    expect:
      /^gan: checkpoints\/lockdir\/\.lock: a directory, not a lock file gan wrote; if no gan train is running on this run, remove it \(rm -r checkpoints\/lockdir\/\.lock\) and train again$/,
  },
  {
    name: 'the run lock is held on another host',
    args: train('run.name=foreign'),
    expect: /^gan: checkpoints\/foreign: already being trained by process 4242 on elsewhere\.example /,
  },
  {
    name: 'the run lock is held by a live process here',
    args: train('run.name=live'),
    expect: new RegExp(`^gan: checkpoints/live: already being trained by process ${process.pid} on `),
  },
  {
    name: 'run.out_dir on a read-only file system',
    args: train(`run.out_dir=${RO}`, 'run.name=fresh'),
    exit: 4,
    expect: refused(`${RO}/fresh: cannot mkdir`),
  },
  {
    name: 'run.out_dir below a read-only file system',
    args: train(`run.out_dir=${RO}/runs`),
    exit: 4,
    expect: refused(`${RO}/runs/tiny: cannot mkdir`),
  },
  {
    name: '--resume of a run on a read-only file system',
    args: [...train(`run.out_dir=${RO}`), '--resume'],
    exit: 4,
    expect: refused(`${RO}/tiny/\\.lock: cannot open`),
  },
  {
    name: 'gan report of a run on a read-only file system',
    args: ['report', 'tiny', '--out-dir', RO],
    exit: 4,
    expect: refused(`${RO}/tiny/report\\.html: cannot write`),
  },
  {
    name: "gan sample into a read-only run's samples/",
    args: ['sample', '--ckpt', 'tiny', '--out-dir', RO, '--seed', '1'],
    exit: 4,
    expect: refused(`${RO}/tiny/samples/sample-epoch-0001-seed1-n64\\.png: cannot write`),
  },
  {
    name: 'gan sample --format png --out on a read-only file system',
    args: ['sample', '--ckpt', 'tiny', '--format', 'png', '--out', `${RO}/pngs`],
    exit: 4,
    expect: refused(`${RO}/pngs: cannot mkdir`),
  },
  {
    name: 'gan export --out on a read-only file system',
    args: ['export', '--ckpt', 'tiny', '--out', `${RO}/web`],
    exit: 4,
    expect: refused(`${RO}/web: cannot mkdir`),
  },
  {
    name: 'gan sample --out is a directory',
    args: ['sample', '--ckpt', 'tiny', '--out', 'adir'],
    expect: /^gan: adir: a directory where a file is needed; name a file to write$/,
  },
  {
    name: 'gan sample --format png --out is a file',
    args: ['sample', '--ckpt', 'tiny', '--format', 'png', '--out', 'afile'],
    expect: /^gan: afile: a file where a directory is needed; move it or choose another path$/,
  },
  {
    name: 'gan interpolate --out below a file',
    args: ['interpolate', '--ckpt', 'tiny', '--out', 'afile/walk.png'],
    expect: /^gan: afile: a file where a directory is needed \(for afile\/walk\.png\); move it or choose another/,
  },
  {
    name: 'gan export --out is a file',
    args: ['export', '--ckpt', 'tiny', '--out', 'afile'],
    expect: /^gan: --out afile: is a file; expected a directory to write the export into$/,
  },
  {
    name: '--backend webgpu without a GPU driver',
    args: [...train('run.name=gpu'), '--backend', 'webgpu'],
    env: NO_EGL,
    expect:
      /^gan: --backend webgpu: engine unavailable \(webgpu engine: no GPU adapter \(opengles: no adapter \(missing /,
  },
  {
    name: 'GAN_BACKEND=webgpu without a GPU driver',
    args: ['sample', '--ckpt', 'tiny'],
    env: { ...NO_EGL, GAN_BACKEND: 'webgpu' },
    expect: /^gan: --backend webgpu: engine unavailable \(webgpu engine: no GPU adapter /,
  },
  {
    name: '--backend webgpu without the webgpu package',
    args: ['doctor', '--backend', 'webgpu'],
    env: { NODE_OPTIONS: `--import ${fixture('no-webgpu-hook.mjs')}` },
    expect: /^gan: --backend webgpu: engine unavailable \(webgpu engine: npm package `webgpu` not installed/,
  },
  {
    name: '--backend tensorflow without tfjs-node',
    args: [...train('run.name=tf'), '--backend', 'tensorflow'],
    env: { NODE_OPTIONS: `--import ${fixture('no-tfjs-node-hook.mjs')}` },
    expect: /^gan: --backend tensorflow: engine unavailable \(@tensorflow\/tfjs-node-gpu not installed/,
  },
  {
    name: 'GAN_WEBGPU_BACKENDS names no Dawn backend',
    args: ['doctor', '--backend', 'webgpu'],
    env: { GAN_WEBGPU_BACKENDS: 'directx' },
    expect: /^gan: --backend webgpu: engine unavailable \(GAN_WEBGPU_BACKENDS: unknown Dawn backend 'directx' /,
  },
  {
    name: 'GAN_BACKEND is not an engine',
    args: train('run.name=env-backend'),
    env: { GAN_BACKEND: 'gpu' },
    expect: /^gan: GAN_BACKEND gpu: unknown engine \(expected one of auto, tensorflow, webgpu, wasm, cpu\)$/,
  },
  {
    name: 'GAN_WASM_THREADS is not a thread count',
    args: ['sample', '--ckpt', 'tiny', '--backend', 'wasm'],
    env: { GAN_WASM_THREADS: 'many' },
    expect: /^gan: GAN_WASM_THREADS many: expected a whole number of threads from 1 to /,
  },
];

export const table: BadInputTable = {
  area: 'environment: files, locks and engines',
  cases,
  setup(work) {
    writeFileSync(join(work, 'afile'), 'not a directory\n');
    mkdirSync(join(work, 'adir'));
    const runs = join(work, 'checkpoints');
    writeFileSync(join(runs, 'filerun'), 'not a run directory\n');
    mkdirSync(join(runs, 'lockdir', '.lock'), { recursive: true });
    const lock = (run: string, pid: number, host: string) => {
      mkdirSync(join(runs, run));
      writeFileSync(join(runs, run, '.lock'), JSON.stringify({ pid, host, since: '2025-01-01T00:00:00.000Z' }));
    };
    lock('foreign', 4242, 'elsewhere.example');
    lock('live', process.pid, hostname());
    readOnlyDir(RO, (dir) => cpSync(join(runs, 'tiny'), join(dir, 'tiny'), { recursive: true }));
  },
};
