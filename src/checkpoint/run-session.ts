// One `gan train` process's hold on its run directory: the run lock, the Ctrl-C handlers, and
// the fresh/resume/force rules. Nothing in the directory changes until `begin`, which comes
// after every check (checkpoint, data, labelled set) has passed; a finished run is continued or
// replaced only when asked to.
import { stringify } from 'yaml';
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import type { Log } from '../log.js';
import { RunLock } from './lock.js';
import type { CheckpointRef, RunDir } from './run-dir.js';
import { alignRunDir, resumePoint } from './training-state.js';

export interface StopRequest {
  /** Set once the epoch loop runs: before that a signal quits at once (nothing is written yet). */
  training: boolean;
  requested: boolean;
  signal?: NodeJS.Signals;
}

export class RunSession {
  /** The checkpoint a `--resume` continues from; undefined for a new run. */
  readonly resumeFrom: CheckpointRef | undefined;
  readonly stop: StopRequest = { training: false, requested: false };
  private readonly lock: RunLock;
  private readonly removeHandlers: () => void;

  constructor(
    readonly runDir: RunDir,
    config: Config,
    private readonly opts: { resume: boolean; force: boolean },
    private readonly io: Log,
  ) {
    if (opts.resume && opts.force) {
      throw new UserError('--resume and --force: choose one (continue the run, or delete it and start over)');
    }
    this.lock = RunLock.acquire(runDir.root, io.warn);
    this.removeHandlers = installStopHandlers(this.stop, io);
    try {
      this.resumeFrom = opts.resume ? resumePoint(runDir, config) : checkNewRun(runDir, opts.force);
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /**
   * Every check has passed: from here on the run directory changes. A resumed run's metrics are
   * repaired to its checkpoint; `--force` clears the old run; the config and `records` are written.
   */
  begin(config: Config, records: { path: string; json: string }[]): void {
    const { runDir, resumeFrom } = this;
    if (resumeFrom) alignRunDir(runDir, resumeFrom, config.run.keep);
    else if (this.opts.force && runDir.exists()) {
      this.io.warn(`--force: removing the previous run in ${runDir.root}`);
      runDir.clear();
    }
    runDir.prepare();
    writeFileAtomic(runDir.configPath, stringify(config));
    for (const { path, json } of records) writeFileAtomic(path, json);
    if (resumeFrom) this.io.log(`resuming ${runDir.root} from ${resumeFrom.dir} (${position(resumeFrom)})`);
    this.stop.training = true;
  }

  /** The exit code of a run a signal stopped: 128 + the signal's number, as a shell reports it. */
  get interruptedExitCode(): number {
    return SIGNAL_EXIT_CODES[this.stop.signal ?? 'SIGINT']!;
  }

  close(): void {
    this.removeHandlers();
    this.lock.release();
  }
}

/** A run directory that already holds a run is continued or replaced only when asked to. */
function checkNewRun(runDir: RunDir, force: boolean): undefined {
  if (runDir.exists() && !force) {
    throw new UserError(
      `${runDir.root}: run directory already exists; continue it with --resume, start over with --force, ` +
        'or pick another name with --set run.name=NEW',
    );
  }
  return undefined;
}

function position(ref: CheckpointRef): string {
  return `epoch ${ref.state.epoch + 1}, iteration ${ref.state.iteration ?? 0}, step ${ref.state.step}`;
}

/**
 * Ctrl-C / SIGTERM / SIGHUP (the terminal closed): during training the first asks the loop to
 * stop after the current iteration and write a checkpoint; a second Ctrl-C or SIGTERM quits at
 * once (every file is written atomically, so nothing is left half-written; the last complete
 * checkpoint stays `latest`). A SIGHUP never quits at once: a closing terminal often sends it
 * right after a Ctrl-C. Quitting releases the run lock (an exit handler).
 */
function installStopHandlers(stop: StopRequest, io: Log): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.requested && signal === 'SIGHUP') return;
    if (!stop.training || stop.requested) {
      io.warn(`${signal}${stop.requested ? ' again' : ''}: quitting now; the last complete checkpoint stays latest`);
      process.exit(SIGNAL_EXIT_CODES[signal]);
    }
    stop.requested = true;
    stop.signal = signal;
    io.warn(`${signal}: stopping after this step and writing a checkpoint (press Ctrl-C again to quit at once)`);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  };
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** 128 + the signal's number, as a shell reports a process the signal ended. */
const SIGNAL_EXIT_CODES: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
