// An epoch's diagnostics as they accumulate: loss and D-output sums, time inside training
// steps (the rest of the epoch is the loop's overhead), and, for an epoch resumed from a
// mid-epoch checkpoint, the sums of its iterations before the interrupt.
import type { PartialSums } from '../checkpoint/run-dir.js';
import type { StepStats } from './trainer.js';

export interface EpochSummary {
  /** Mean of each diagnostic over the epoch's iterations. */
  mean: StepStats;
  seconds: number;
  stepSeconds: number;
  imagesPerSecond: number;
}

export class EpochStats {
  private readonly sums: Required<PartialSums>;
  private readonly started = performance.now();
  /** Images trained on since this process started the epoch (for the live img/s). */
  private images = 0;

  constructor(before?: PartialSums) {
    // Checkpoints written before stepSeconds was kept lack it: the zero fills in.
    this.sums = { dLoss: 0, gLoss: 0, dReal: 0, dFake: 0, seconds: 0, stepSeconds: 0, ...before };
  }

  add(stats: StepStats, stepSeconds: number, images: number): void {
    this.sums.dLoss += stats.dLoss;
    this.sums.gLoss += stats.gLoss;
    this.sums.dReal += stats.dReal;
    this.sums.dFake += stats.dFake;
    this.sums.stepSeconds += stepSeconds;
    this.images += images;
  }

  private elapsed(): number {
    return (performance.now() - this.started) / 1000;
  }

  /** Training speed of this process in this epoch so far. */
  imagesPerSecond(): number {
    return this.images / this.elapsed();
  }

  /** The sums so far, time included, for a mid-epoch checkpoint. */
  partialSums(): PartialSums {
    return { ...this.sums, seconds: this.sums.seconds + this.elapsed() };
  }

  /** The finished epoch of `iterations` iterations of `imagesPerIteration` images each. */
  summary(iterations: number, imagesPerIteration: number): EpochSummary {
    const n = Math.max(1, iterations);
    const seconds = this.sums.seconds + this.elapsed();
    return {
      mean: {
        dLoss: this.sums.dLoss / n,
        gLoss: this.sums.gLoss / n,
        dReal: this.sums.dReal / n,
        dFake: this.sums.dFake / n,
      },
      seconds,
      stepSeconds: this.sums.stepSeconds,
      imagesPerSecond: (iterations * imagesPerIteration) / seconds,
    };
  }
}
