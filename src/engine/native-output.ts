// Native engine libraries write to file descriptor 2 themselves: Dawn prints "Warning:" lines
// (with "at …" source locations) while it looks for adapters, whether or not it finds one.
// process.stderr never sees those bytes, so no stream can filter them. While such code runs,
// `withoutNativeOutput` points fd 2 at /dev/null and back, unless the user asked to see it
// (`--verbose`, GAN_VERBOSE=1). Our own one-line errors say what went wrong either way; nothing
// of ours writes to stderr while Dawn starts, which would be dropped too.
//
// Node has no dup2: the swap relies on open() returning the lowest free descriptor, so closing
// 2 and opening /dev/null makes /dev/null fd 2, and the same back. That holds as long as no other
// thread opens a file between the two calls (both synchronous, on the main thread), which is why
// only Dawn's start is wrapped, not engines that start worker threads (wasm). Where fd 2 cannot be
// reopened by name (a socket, as Node's child_process gives its children; no /dev/fd), the output
// is left alone: dawn-probe.ts keeps Dawn's lines about missing adapters out of it even then.
import { closeSync, constants, openSync } from 'node:fs';

let shown: boolean | undefined;

/** Show native libraries' own output (`--verbose`); by default GAN_VERBOSE=1 decides. */
export function showNativeOutput(show: boolean): void {
  shown = show;
}

export function nativeOutputShown(): boolean {
  return shown ?? process.env.GAN_VERBOSE === '1';
}

const STDERR = 2;
const REOPEN = constants.O_WRONLY | constants.O_APPEND | (constants.O_NOCTTY ?? 0);
let hiding = 0;

/** Makes fd 2 refer to `path`: closed, then the lowest free descriptor is 2 again. */
function pointStderrAt(path: string): void {
  try {
    closeSync(STDERR);
  } catch {
    // closed already: a previous open failed
  }
  openSync(path, REOPEN);
}

/** Runs `work` with native writes to stderr discarded, unless they are wanted. */
export async function withoutNativeOutput<T>(work: () => Promise<T>): Promise<T> {
  if (nativeOutputShown() || hiding > 0 || process.platform === 'win32') return work();
  let saved: number;
  try {
    saved = openSync(`/dev/fd/${STDERR}`, REOPEN); // the same file, pipe or terminal, once more
  } catch {
    return work();
  }
  hiding++;
  try {
    pointStderrAt('/dev/null');
    return await work();
  } finally {
    hiding--;
    pointStderrAt(`/dev/fd/${saved}`);
    closeSync(saved);
  }
}
