// How commands, and the modules they call, talk to the user: plain lines and warnings, and the
// process's own stdout and stderr behind them.
export interface Log {
  log(line: string): void;
  warn(line: string): void;
}

/**
 * stdout and stderr that never stop the work: a reader that goes away closes its pipe — in a
 * terminal, Ctrl-C on `gan train … | tee log` kills tee as well — and the next write fails
 * (EPIPE). A run must still finish its step and write its checkpoint, so a closed stream is only
 * marked closed. Lines for a closed stdout go to stderr when the command asked for it (a run's
 * last lines say where its checkpoint is), and are dropped otherwise (`gan keys | head`).
 */
const open = { stdout: true, stderr: true };
let stdoutFallsBackToStderr = false;

function markClosedOnError(stream: NodeJS.WriteStream, name: keyof typeof open): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'EIO' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
    open[name] = false;
  });
}

/** Called once at start-up, before anything is written. */
export function guardTerminal(): void {
  markClosedOnError(process.stdout, 'stdout');
  markClosedOnError(process.stderr, 'stderr');
}

/** For long runs: once stdout is closed, what would go there goes to stderr. */
export function stdoutFallsBack(): void {
  stdoutFallsBackToStderr = true;
}

export function writeOut(text: string): void {
  if (!open.stdout || process.stdout.destroyed) {
    if (stdoutFallsBackToStderr) writeErr(text);
    return;
  }
  // The write that finds the pipe closed learns it only in its callback: that line goes too.
  process.stdout.write(text, (err) => {
    if (err && stdoutFallsBackToStderr) writeErr(text);
  });
}

export function writeErr(text: string): void {
  if (open.stderr && !process.stderr.destroyed) process.stderr.write(text);
}

/** The user's terminal as a Log. */
export const terminal: Log = {
  log: (line) => writeOut(`${line}\n`),
  warn: (line) => writeErr(`warning: ${line}\n`),
};
