// `gan report RUN|PATH|latest [--gif]`: (re)write a run's report.html, and progress.gif on
// request. Needs no engine: it only reads files the run already holds.
import { resolveCheckpoint } from '../checkpoint/run-dir.js';
import { writeProgressGif } from '../report/gif.js';
import { writeReport } from '../report/write.js';
import { terminal, type Log } from '../log.js';
import type { Command } from 'commander';
import { outDirOption } from './options.js';

export interface ReportOptions {
  gif: boolean;
  outDir: string;
}

export function reportCommand(spec: string, opts: ReportOptions, io: Log): { report: string; gif?: string } {
  const { runDir } = resolveCheckpoint(spec, opts.outDir, 'gan report');
  const report = writeReport(runDir);
  io.log(`wrote ${report}`);
  if (!opts.gif) return { report };
  const gif = writeProgressGif(runDir);
  if (!gif) {
    io.warn(`${runDir}: no sample grids to animate (samples/epoch-*.png)`);
    return { report };
  }
  const skipped = gif.skipped > 0 ? ` (${gif.skipped} grid(s) of another size left out)` : '';
  io.log(`wrote ${gif.path}: ${gif.frames} frame(s)${skipped}`);
  return { report, gif: gif.path };
}

/** `gan report`'s command line. */
export function declareReport(program: Command): void {
  program
    .command('report')
    .description("write <run>/report.html: config, engine, loss and eval curves, every epoch's sample grid")
    .argument('[run]', 'latest | RUN name | run directory | epoch directory', 'latest')
    .option('--gif', 'also assemble the per-epoch grids into <run>/progress.gif', false)
    .addOption(outDirOption())
    .action((run: string, opts) => {
      reportCommand(run, opts, terminal);
    });
}
