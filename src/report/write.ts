// `writeReport(runDir)`: rebuild checkpoints/<run>/report.html from what the run directory
// holds now. The training loop calls it after every epoch, so it is synchronous, cheap
// (a few file reads and string joins) and atomic: a browser reloading the page mid-write sees
// the previous complete report, never half of one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs-atomic.js';
import { renderReport, type EmbeddedGrid } from './html.js';
import { readRun } from './run-data.js';

export const REPORT_HTML = 'report.html';

/** Writes `<runDir>/report.html` and returns its path. */
export function writeReport(runDir: string): string {
  const run = readRun(runDir);
  const grids: EmbeddedGrid[] = run.samples.map((g) => ({
    epoch: g.epoch,
    src: `data:image/png;base64,${readFileSync(g.path).toString('base64')}`,
  }));
  const path = join(runDir, REPORT_HTML);
  writeFileAtomic(path, renderReport(run, grids));
  return path;
}
