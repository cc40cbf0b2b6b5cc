// What the user sees while the evaluation classifier trains: a cli-progress bar per epoch on a
// terminal, one plain line per epoch otherwise (CI logs, pipes, tests).
import cliProgress from 'cli-progress';

export interface ClassifierEpoch {
  epoch: number;
  epochs: number;
  loss: number;
  seconds: number;
  imagesPerSecond: number;
}

export interface ClassifierProgress {
  startEpoch(epoch: number, epochs: number, batches: number): void;
  update(batch: number, loss: number): void;
  endEpoch(summary: ClassifierEpoch): void;
}

export function classifierEpochLine(s: ClassifierEpoch): string {
  return `classifier epoch ${s.epoch}/${s.epochs}  loss ${s.loss.toFixed(4)}  ${s.imagesPerSecond.toFixed(0)} img/s  ${s.seconds.toFixed(1)} s`;
}

/** A bar on a TTY, plain `log` lines elsewhere. */
export function createClassifierProgress(
  log: (line: string) => void,
  interactive = Boolean(process.stdout.isTTY),
): ClassifierProgress {
  if (!interactive) {
    return { startEpoch() {}, update() {}, endEpoch: (s) => log(classifierEpochLine(s)) };
  }
  let bar: cliProgress.SingleBar | undefined;
  return {
    startEpoch(epoch, epochs, batches) {
      bar = new cliProgress.SingleBar(
        {
          format: `classifier epoch ${epoch}/${epochs} {bar} {value}/{total} | loss {loss} | ETA {eta_formatted}`,
          barsize: 24,
          hideCursor: true,
          clearOnComplete: true,
          stream: process.stdout,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(batches, 0, { loss: '-' });
    },
    update(batch, loss) {
      bar?.update(batch, { loss: loss.toFixed(4) });
    },
    endEpoch(summary) {
      bar?.stop();
      bar = undefined;
      log(classifierEpochLine(summary));
    },
  };
}
