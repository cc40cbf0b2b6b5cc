// What the user sees while training: a live bar per epoch on a terminal, one plain line per
// epoch otherwise (CI logs, pipes), so logs stay readable and greppable.
import cliProgress from 'cli-progress';
import { writeOut } from '../log.js';
import type { StepStats } from './trainer.js';

export interface EpochSummary extends StepStats {
  epoch: number;
  epochs: number;
  seconds: number;
  imagesPerSecond: number;
  /** Wall time the rest of the run should take at this process's pace so far (0 at the end). */
  remainingSeconds?: number;
}

/** 95 -> "2 min", 5400 -> "1 h 30 min". */
export function duration(seconds: number): string {
  if (Math.round(seconds) < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export interface ProgressDisplay {
  startEpoch(epoch: number, epochs: number, batches: number): void;
  update(batch: number, stats: StepStats, imagesPerSecond: number): void;
  endEpoch(summary: EpochSummary, extra: string): void;
  stop(): void;
}

const fmt = (v: number) => v.toFixed(3);

export function epochLine(s: EpochSummary): string {
  return (
    `epoch ${s.epoch}/${s.epochs}  D ${fmt(s.dLoss)}  G ${fmt(s.gLoss)}  D(x) ${fmt(s.dReal)}  D(G(z)) ` +
    `${fmt(s.dFake)}  ${s.imagesPerSecond.toFixed(1)} img/s  ${s.seconds.toFixed(1)} s` +
    (s.remainingSeconds ? `  (run ETA ${duration(s.remainingSeconds)})` : '')
  );
}

class BarDisplay implements ProgressDisplay {
  private bar: cliProgress.SingleBar | undefined;

  startEpoch(epoch: number, epochs: number, batches: number): void {
    this.bar = new cliProgress.SingleBar(
      {
        format:
          `epoch ${epoch}/${epochs} {bar} {value}/{total} | D {dLoss} G {gLoss} D(x) {dReal} D(G(z)) {dFake} ` +
          `| {ips} img/s | ETA {eta_formatted}`,
        barsize: 24,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 20,
        stream: process.stdout,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(batches, 0, { dLoss: '-', gLoss: '-', dReal: '-', dFake: '-', ips: '-' });
  }

  update(batch: number, stats: StepStats, imagesPerSecond: number): void {
    this.bar?.update(batch, {
      dLoss: fmt(stats.dLoss),
      gLoss: fmt(stats.gLoss),
      dReal: fmt(stats.dReal),
      dFake: fmt(stats.dFake),
      ips: imagesPerSecond.toFixed(0),
    });
  }

  endEpoch(summary: EpochSummary, extra: string): void {
    this.stop();
    writeOut(`${epochLine(summary)}${extra}\n`);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

class LineDisplay implements ProgressDisplay {
  startEpoch(): void {}
  update(): void {}
  endEpoch(summary: EpochSummary, extra: string): void {
    writeOut(`${epochLine(summary)}${extra}\n`);
  }
  stop(): void {}
}

export function createProgress(interactive = Boolean(process.stdout.isTTY)): ProgressDisplay {
  return interactive ? new BarDisplay() : new LineDisplay();
}
